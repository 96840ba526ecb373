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
