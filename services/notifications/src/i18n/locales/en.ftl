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
