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
    payment_completed: '🧾 { $name }, we received your payment of { $amount } { $currency }. Thank you!',
    payment_refunded: '↩️ { $name }, your payment of { $amount } { $currency } was refunded.',
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
    payment_completed: '🧾 { $name }, мы получили ваш платёж: { $amount } { $currency }. Спасибо!',
    payment_refunded: '↩️ { $name }, ваш платёж { $amount } { $currency } возвращён.',
  },
};
