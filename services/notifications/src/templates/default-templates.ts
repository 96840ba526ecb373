import type { RuleName } from '../rules/rule-catalogue.js';

/**
 * The platform's templates (Fluent patterns), used when a bot has none of its own for the language. They
 * leave `$plan` out: the subscriptions events carry the plan's id, not its name.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<'en' | 'ru', Readonly<Record<RuleName, string>>>> = {
  en: {
    welcome: 'Welcome, { $name }!',
    level_reached: '🎉 { $name }, you reached level { $level }!',
    badge_awarded: '🏅 { $name }, you earned the badge “{ $badge }”!',
    subscription_started: `{ $trial ->
    [yes] Your free trial has started
   *[no] Your subscription is active
}: { $days ->
    [one] { $days } day
   *[other] { $days } days
}, until { $ends_at }.`,
    subscription_expired: 'Your subscription has ended.',
    subscription_ending: `Your subscription ends in { $days_left ->
    [one] { $days_left } day
   *[other] { $days_left } days
}, on { $ends_at }. Renew it in /plans to keep your access.`,
    trial_ending: `Your free trial ends in { $days_left ->
    [one] { $days_left } day
   *[other] { $days_left } days
}, on { $ends_at }. Choose a plan in /plans to keep your access.`,
    renewal_failed: `⚠️ { $name }, we could not renew your subscription: { $reason ->
    [insufficient_balance] your balance is too low. Top it up with /balance.
    [plan_unavailable] the plan is no longer offered. Choose another in /plans.
   *[other] payments are unavailable right now.
} { $retry ->
    [yes] We will try again on { $next_attempt_at }.
   *[no] It ends on { $ends_at }.
}`,
    payment_completed: '🧾 { $name }, we received your payment of { $amount } { $currency }. Thank you!',
    payment_refunded: '↩️ { $name }, your payment of { $amount } { $currency } was refunded.',
    receipt_approved: '✅ { $name }, your card transfer { $tracking } of { $amount } { $currency } is confirmed. Thank you!',
    receipt_rejected: '❌ { $name }, your card transfer { $tracking } of { $amount } { $currency } was not confirmed: { $reason }',
  },
  ru: {
    welcome: 'Добро пожаловать, { $name }!',
    level_reached: '🎉 { $name }, вы достигли уровня { $level }!',
    badge_awarded: '🏅 { $name }, вы получили значок «{ $badge }»!',
    subscription_started: `{ $trial ->
    [yes] Пробный период начался
   *[no] Подписка активна
}: { $days ->
    [one] { $days } день
    [few] { $days } дня
   *[many] { $days } дней
}, до { $ends_at }.`,
    subscription_expired: 'Ваша подписка закончилась.',
    subscription_ending: `Ваша подписка закончится через { $days_left ->
    [one] { $days_left } день
    [few] { $days_left } дня
   *[many] { $days_left } дней
}, { $ends_at }. Продлите её в /plans, чтобы сохранить доступ.`,
    trial_ending: `Пробный период закончится через { $days_left ->
    [one] { $days_left } день
    [few] { $days_left } дня
   *[many] { $days_left } дней
}, { $ends_at }. Выберите тариф в /plans, чтобы сохранить доступ.`,
    renewal_failed: `⚠️ { $name }, не удалось продлить подписку: { $reason ->
    [insufficient_balance] на балансе недостаточно средств. Пополните его командой /balance.
    [plan_unavailable] тариф больше не предлагается. Выберите другой в /plans.
   *[other] платежи сейчас недоступны.
} { $retry ->
    [yes] Следующая попытка: { $next_attempt_at }.
   *[no] Подписка закончится { $ends_at }.
}`,
    payment_completed: '🧾 { $name }, мы получили ваш платёж: { $amount } { $currency }. Спасибо!',
    payment_refunded: '↩️ { $name }, ваш платёж { $amount } { $currency } возвращён.',
    receipt_approved: '✅ { $name }, ваш перевод { $tracking } на { $amount } { $currency } подтверждён. Спасибо!',
    receipt_rejected: '❌ { $name }, ваш перевод { $tracking } на { $amount } { $currency } не подтверждён: { $reason }',
  },
};
