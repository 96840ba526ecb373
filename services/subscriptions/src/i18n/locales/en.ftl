# English texts of the subscriptions service's bot screens (/plans, /subscription, /subadmin). Keys are shared
# with ru.ftl (a spec checks that both have the same keys). Prices, dates and Telegram ids come formatted.

## Commands as the bot's menu and /help show them
command-plans = plans and prices
command-subscription = your subscription
command-subadmin = subscriptions of members (admins)

## Shared
button-back = « Back
days =
    { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
credits =
    { $credits ->
        [one] { $credits } credit
       *[other] { $credits } credits
    }

## Refusals, in the reader's language
refused-not-an-admin = Only admins of this bot can do that.
refused-trial-taken = You have already taken the trial of this bot: it is once per member.
refused-already-subscribed = Your subscription is running already, so the trial is not for now.
refused-no-trial = This bot offers no trial at the moment.
refused-trial-not-free = This trial is paid: choose it among the plans.
refused-not-subscribed = There is no running subscription to change.
refused-plan-gone = That plan is not available any more.
refused-out-of-range = That is more than a subscription can hold.
refused-invalid = That does not look right. Please check it and try again.

## /plans
plans-title = Choose a plan:
plans-none = There are no plans on sale yet.
plans-button = { $name } · { $price }
plans-trial-button = 🎁 Free trial: { days }
plan-gives-period = Access for { days }
plan-gives-credits = A pack of { credits }
plan-price = Price: { $price }
plan-button-buy = Buy
plan-button-card = Card transfer
plan-button-wallet = Pay from wallet
plan-button-telegram-fiat = Pay by card (Telegram)
plan-button-crypto-pay = Pay with crypto
plan-provider-gone = This way of paying is no longer available for this plan. Nothing was charged.
plan-crypto-pay = { $name }: pay with crypto on Crypto Pay's page. The plan starts as soon as the payment arrives.
plan-crypto-pay-button = Pay with crypto
plan-wallet-insufficient = Your wallet balance does not cover this plan. Nothing was charged.
plan-wallet-paid-period = Paid { $price } from your wallet. { $name } is yours until { $end }.
plan-wallet-paid-credits = Paid { $price } from your wallet. { $name }: you now have { $credits } credits.
plan-buy-unavailable = Payments are unavailable right now. Nothing was charged. Please try again in a moment.
plan-subscription-invoice = { $name }: a Stars subscription, renewed every 30 days until you cancel it (in /subscription or in Telegram).
plan-subscription-button = Subscribe
trial-started = Your free trial of { $name } is on until { $end }.

## /subscription
status-none = You have no subscription.
status-plan = Plan: { $name }
status-trial = Trial: { $name }
status-until = Active until { $end }
status-ended = Your subscription ended on { $end }.
status-credits = Credits left: { $credits }
status-renewal-on = Renewal: on
status-renewal-off = Renewal: off (it stays active until the end)
status-renewal-wallet = Renewal: on, from your wallet. Next attempt: { $next }
status-renewal-wallet-failed = The last renewal attempt failed: { $reason }
status-renewal-wallet-over = Renewal from your wallet failed ({ $reason }): the subscription ends { $end }. Buy it again in /plans.
renewal-reason-insufficient_balance = not enough in your wallet (top it up in /balance)
renewal-reason-payments_unavailable = payments could not be reached
renewal-reason-plan_unavailable = the plan is no longer on sale
button-renewal-off = Turn renewal off
button-renewal-on = Turn renewal on
button-see-plans = See the plans
renewal-turned-off = Renewal is off.
renewal-turned-on = Renewal is on.
renewal-canceled-in-telegram = You cancelled this Stars subscription in Telegram; only you can turn it back on there (Settings → My Stars).
renewal-switch-unavailable = Renewal could not be switched just now. Nothing changed. Please try again in a moment.

## /subadmin
subadmin-title = Subscriptions of members. What would you like to do?
subadmin-button-plans = Plans
subadmin-button-find = Find a member
subadmin-plans-title = Plans of this bot:
subadmin-plans-none = This bot has no plans yet: they are created over the admin API.
subadmin-plan-line = • { $name }: { $gives }, { $price } ({ $state })
subadmin-plan-free = free
subadmin-plan-on-sale = on sale
subadmin-plan-hidden = not on sale
subadmin-plan-trial = trial
subadmin-find-prompt = Send the member's Telegram id (digits only).
subadmin-find-invalid = That is not a Telegram id. Send digits only, e.g. 123456789.
subadmin-member-title = Member { $id }
subadmin-member-none = No subscription, no credits.
subadmin-choose-member = Choose a member first (Find a member).
subadmin-button-grant = Grant a plan
subadmin-button-extend = Extend
subadmin-button-credits = Add credits
subadmin-button-revoke = Revoke
subadmin-button-member = « Member { $id }
subadmin-grant-choose = Which plan do you grant to { $id }?
subadmin-grant-none = This bot has no plans to grant.
subadmin-grant-prompt = Why do you grant { $plan } to { $id }? Send the reason.
subadmin-granted = { $plan } granted to { $id }. Reason: { $reason }
subadmin-extend-prompt = By how many days do you extend the subscription of { $id }? Send a number from 1 to { $max }.
subadmin-extended = The subscription of { $id } is extended by { days }, until { $end }.
subadmin-nothing-to-extend = { $id } has no running subscription to extend: grant a plan instead.
subadmin-credits-choose = Which credit pack do the credits for { $id } come from?
subadmin-credits-none = This bot has no credit packs.
subadmin-credits-prompt = How many credits of { $plan } do you add to { $id }? Send a number from 1 to { $max }.
subadmin-credits-added = { credits } added to { $id }. Credits left now: { $balance }.
subadmin-revoke-prompt = Why do you revoke the subscription of { $id }? Send the reason.
subadmin-revoked = The subscription of { $id } is revoked. Reason: { $reason }
subadmin-nothing-to-revoke = { $id } has no running subscription or credits to revoke.
subadmin-trial-taken = That member has taken the trial already: a trial is once per member.
subadmin-number-invalid = Send a whole number from 1 to { $max }.
subadmin-reason-invalid = Send a reason of 1 to 500 characters.
