# English texts of every hosted bot. Keys are shared with ru.ftl (a spec checks that both have the same keys).

## Language names, in their own language on purpose (a user looking for their language must recognise it)
language-name-en = English
language-name-ru = Русский
language-telegram-default = Telegram default

## Commands as setMyCommands shows them
command-start = Start the bot
command-help = What this bot can do
command-language = Choose the language

## /start and /help
start-greeting = Hello, { $name }! I am { $bot }. Send /help to see what I can do.
help-text =
    Here is what I can do:
    /start - start over
    /help - this list
    /language - choose the language


## /language
language-choose = Current language: { $language }. Choose another one:
language-changed = Done! I will speak { $language } with you now.

## Refusals by the middleware
blocked-notice = You are blocked in this bot. Your next messages are ignored without a reply for a while.
blocked-notice-reason = You are blocked in this bot. Reason: { $reason }
    Your next messages are ignored without a reply for a while.
rate-limited = You are sending too much too fast. Please slow down and try again in a few seconds.

## Errors (the error boundary)
error-generic = Something went wrong. Reference: { $reference }
error-quota-exceeded = You have reached today's limit. It resets at { $time }.
error-quota-exceeded-no-time = You have reached today's limit. Please try again tomorrow.
error-member-blocked = You are blocked in this bot.
error-not-an-admin = Only admins of this bot can do that.
error-validation-failed = That does not look right. Please check what you sent and try again.
error-owner-only = Only the owner of this bot can do that.
error-cannot-block = That member cannot be blocked: owners are never blocked, admins only by the owner, and nobody blocks themself.
error-not-a-member = That user is not a member of this bot.
error-invalid-setting = That value does not fit this flag or setting.

## Routed features: the owning service did not answer in time, or failed
feature-try-again = That did not work just now. Please try again in a moment.
