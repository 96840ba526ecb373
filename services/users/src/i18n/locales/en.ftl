# English texts of the users service's bot screens (the admin menu). Keys are shared with ru.ftl (a spec checks
# that both have the same keys). Moved from the gateway with the menu: the texts are unchanged.

## Commands as the bot's menu and /help show them
command-admin = the admin menu

## Roles of a member card
role-user = user
role-admin = admin
role-owner = owner
role-admin-pending = user (proposed as admin)
admin-no-username = not set

## Refusals of the users service, in the reader's language
admin-refused-not-an-admin = Only admins of this bot can do that.
admin-refused-owner-only = Only the owner of this bot can do that.
admin-refused-cannot-block = That member cannot be blocked: owners are never blocked, admins only by the owner, and nobody blocks themself.
admin-refused-not-a-member = That user is not a member of this bot.
admin-refused-invalid-setting = That value does not fit this flag or setting.
admin-refused-invalid = That does not look right. Please check what you sent and try again.

## Admin menu
admin-menu-title = Admin menu. What would you like to do?
admin-button-counts = Counts
admin-button-find = Find a user
admin-button-flags = Feature flags
admin-button-setting = Set a setting
admin-button-audit = Audit log
admin-button-back = « Back
admin-button-more = More »
admin-counts =
    Members: { $members }
    Active today: { $activeToday }
    Blocked the bot: { $blockedTheBot }
    Blocked by an admin: { $blockedByAdmin }
    Admins: { $admins }
admin-find-prompt = Send the user's @username, Telegram id or a part of their name.
admin-find-none = Nobody matches "{ $query }".
admin-find-results = Found { $count }. Choose one:
admin-member-gone = That user is not a member of this bot.
admin-member-card =
    { $name } ({ $username }, id { $id })
    Role: { $role }
    Status: { $status }
admin-status-active = active
admin-status-blocked-by-admin = blocked by an admin ({ $reason })
admin-status-bot-blocked = blocked the bot
admin-button-block = Block
admin-button-unblock = Unblock
admin-button-propose-admin = Propose as admin
admin-button-approve-admin = Make admin
admin-button-revoke-admin = Revoke admin
admin-block-prompt = Why do you block { $name }? Send the reason.
admin-blocked = { $name } is blocked. Reason: { $reason }
admin-unblocked = { $name } is unblocked.
admin-admin-proposed = { $name } is proposed as admin; the owner decides.
admin-admin-approved = { $name } is an admin now.
admin-admin-revoked = { $name } is no longer an admin.
admin-unchanged = Nothing to change: { $name } already is in that state.
admin-flags-title = Feature flags (press one to switch it):
admin-flags-none = This bot has no feature flags yet. Send a flag name to create it switched on.
admin-flag-prompt = Send a flag name (lower case, dots allowed) to switch it on.
admin-flag-changed = Flag { $flag } is now { $state }.
admin-flag-on = on
admin-flag-off = off
admin-setting-prompt = Send the setting as key=value, the value in JSON, e.g. timezone="Europe/Berlin" or quota.daily.user=20.
admin-setting-invalid = Please send key=value with a JSON value, e.g. quota.daily.user=20.
admin-setting-changed = Setting { $key } is now { $value }.
admin-audit-title = Audit log, newest first:
admin-audit-empty = The audit log is empty.
admin-audit-entry = { $when } { $admin }: { $action } { $target }
admin-audit-expired = This list is out of date. Open the audit log again.
admin-not-admin = This menu is only for the bot's admins.
admin-button-new-flag = New flag

## /profile
language-name-en = English
language-name-ru = Русский
language-telegram-default = Telegram default
profile-text =
    Your profile
    Name: { $name }
    Username: { $username }
    Role: { $role }
    Language: { $language }
    Member since: { $joined }
profile-no-username = not set
profile-unknown = unknown

