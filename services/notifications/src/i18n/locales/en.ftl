# English texts of the notifications service's bot screen (/notifications). Keys are shared with ru.ftl
# (a spec checks that both have the same keys).

command-notifications = choose which messages the bot sends you

notifications-title = 🔔 Notifications in this bot. Tap a kind to switch it on or off.
notifications-always = Payment receipts are always sent.
notifications-on = 🔔 { $category }: on
notifications-off = 🔕 { $category }: off
notifications-muted = { $category }: off
notifications-unmuted = { $category }: on

category-welcome = Welcome
category-achievements = Levels and badges
category-subscription = Subscription news
category-payments = Payment receipts

# Admin alerts (to the bot's admin chat or topic), in the bot's default language.
alert-payment-completed = 💰 New payment: { $amount } { $currency } from { $member } (plan { $plan }).
alert-payment-refunded = ↩️ Refund: { $amount } { $currency } to { $member } (plan { $plan }), by { $refunded_by }. Reason: { $reason }
alert-campaign-member = 👋 New member { $member } joined from the campaign “{ $campaign }”.

# Broadcasts (broadcast/)
broadcast-report =
    { $cancelledNote ->
        [yes] 📣 Broadcast cancelled.
       *[no] 📣 Broadcast finished.
    }
    Sent: { $sent }
    Failed: { $failed }
    Blocked the bot: { $blocked }
    Skipped (blocked before): { $skipped }
    Not sent (cancelled): { $cancelled }
command-broadcast = send a message to the bot's members
broadcast-not-admin = Broadcasts are for the bot's admins.
broadcast-ask-text = 📣 Send the text of the broadcast (HTML formatting allowed), or a photo with the text as its caption. Link buttons go on the last lines, one a line: Label | https://example.org. Here is how members will see it once you send it.
broadcast-choose-audience = Who should get it?
broadcast-audience-all = Everyone
broadcast-audience-premium = Premium
broadcast-audience-free = Free
broadcast-audience-trial = On trial
broadcast-audience-inactive = Inactive 30 days
broadcast-audience-new = Joined this week
broadcast-audience-en = English
broadcast-audience-ru = Russian
broadcast-preview =
    Audience: { $audience }
    It reaches { $reach } { $reach ->
        [one] member
       *[other] members
    } ({ $skipped } skipped: they blocked the bot), in about { $minutes } min.
broadcast-paid-cost = Paid broadcast: { $stars } ⭐ (0.1 Star per message).
broadcast-button-confirm = ✅ Send
broadcast-button-cancel = ✖ Cancel
broadcast-button-pause = ⏸ Pause
broadcast-button-resume = ▶ Resume
broadcast-button-refresh = 🔄 Refresh
broadcast-discarded = Broadcast discarded.
broadcast-progress =
    📣 Broadcast: { $status }
    Sent: { $sent }, failed: { $failed }, blocked the bot: { $blocked }, skipped: { $skipped }
    Remaining: { $remaining }, about { $eta } left
broadcast-status-draft = draft
broadcast-status-sending = sending
broadcast-status-paused = paused
broadcast-status-cancelled = cancelled
broadcast-status-finished = finished
broadcast-error-invalid = That broadcast cannot be sent as it is (empty text, or too long).
broadcast-error-not-found = That broadcast no longer exists.
broadcast-error-already-confirmed = That broadcast is already being sent.
broadcast-error-no-audience = Choose an audience first.
broadcast-error-empty-audience = No one in that audience can receive it.
broadcast-error-not-running = That broadcast is not running.
broadcast-error-over = That broadcast is over.
broadcast-error-forbidden = Broadcasts are for the bot's admins.

# /notifadmin: a bot's rules and templates (rules/rules-admin.feature.ts)
command-notifadmin = notification rules and their texts
notifadmin-not-admin = Notification rules are for the bot's admins.
notifadmin-title = 🛠 Notification rules. Tap a rule to see and edit its text, or its switch to turn it on or off.
notifadmin-on = ✅ on
notifadmin-off = ⛔ off
notifadmin-switched-on = { $rule }: on
notifadmin-switched-off = { $rule }: off
notifadmin-state-on = on
notifadmin-state-off = off
notifadmin-origin-own = the bot's own text
notifadmin-origin-default = the platform's default text
notifadmin-card =
    { $rule } ({ $state })
    Variables: { $variables }
    Text in “{ $language }”, { $origin }:
notifadmin-button-edit = ✏️ Edit
notifadmin-button-switch-on = ✅ Switch on
notifadmin-button-switch-off = ⛔ Switch off
notifadmin-button-reset = ↩️ Reset to default
notifadmin-button-back = ⬅️ Rules
notifadmin-edit-prompt = Send the new text of “{ $rule }” in “{ $language }”. Variables: { $variables } (write them as {"{"} $name {"}"}).
notifadmin-saved = ✅ Saved: “{ $rule }” in “{ $language }” uses the new text from the next message on.
notifadmin-invalid =
    ❌ This text cannot be used, nothing was saved:
    { $problems }
notifadmin-template-text-only = Send the template as a text message.
notifadmin-reset-done = Back to the default text.
rule-welcome = Welcome
rule-level-reached = Level reached
rule-badge-awarded = Badge earned
rule-subscription-started = Subscription started
rule-subscription-expired = Subscription expired
rule-subscription-ending = Subscription ending
rule-trial-ending = Trial ending
rule-renewal-failed = Renewal failed
rule-payment-completed = Payment received
rule-payment-refunded = Payment refunded
rule-receipt-approved = Receipt approved
rule-receipt-rejected = Receipt rejected
