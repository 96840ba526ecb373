/** The payments service's texts in the members' languages (English is the fallback). */
const TEXTS = {
  en: {
    'promo-usage': 'Send the code after the command, e.g. /promo SPRING25.',
    'promo-not-found': 'There is no such promo code in this bot.',
    'promo-expired': 'This promo code has expired.',
    'promo-inactive': 'This promo code is not active.',
    'promo-used-up': 'This promo code has been used up.',
    'promo-already-redeemed': 'You have already used this promo code.',
    'promo-not-granted': 'The promo code is accepted, but its plan could not be given just now; the bot’s admins can sort it out.',
    'promo-wallet': 'Promo code accepted: {amount} added to your wallet (/balance).',
    'promo-discount': 'Promo code accepted: {discount} off your next purchase in /plans.',
    'promo-plan-period': 'Promo code accepted: your access runs until {end}.',
    'promo-plan-credits': 'Promo code accepted: you now have {credits} credits.',
    'balance-empty': 'Your wallet is empty.',
    'balance-title': 'Your balance:',
    'balance-last': 'Last entries:',
    'entry-top_up': 'top-up',
    'entry-spend': 'payment',
    'entry-refund': 'refund',
    'entry-referral_reward': 'referral reward',
    'entry-adjustment': 'adjustment',
    'checkout-unknown-order': 'This invoice is not valid in this chat. Please open /plans and buy again.',
    'checkout-already-paid': 'This order is paid already. Nothing was charged again.',
    'checkout-order-closed': 'This order is closed. Please open /plans and buy again.',
    'checkout-plan-unavailable': 'This plan is no longer on sale. Nothing was charged. Please choose another in /plans.',
    'checkout-price-changed': 'The price of this plan has changed. Nothing was charged. Please open /plans and buy again.',
    'checkout-try-again': 'We could not check your order just now. Nothing was charged. Please try again in a moment.',
    'paid-period': 'Thank you! {name} is yours until {end}.',
    'paid-credits': 'Thank you! {name}: you now have {credits} credits.',
    'paid-unmatched': 'Thank you! We could not match this payment to an order; the bot’s admins can sort it out.',
    'paid-not-granted': 'Thank you! Your payment is recorded, but the plan could not be given just now; the bot’s admins can sort it out.',
    refunded: 'Your payment of ⭐ {amount} was refunded.',
    renewed: 'Thank you! {name} is renewed until {end}.',
    'subscription-failed':
      'Telegram could not charge the renewal of your subscription, so it will not renew. What you paid for stays until its end; buy again in /plans.',
  },
  ru: {
    'promo-usage': 'Отправьте код после команды, например /promo SPRING25.',
    'promo-not-found': 'В этом боте нет такого промокода.',
    'promo-expired': 'Срок действия промокода истёк.',
    'promo-inactive': 'Этот промокод не активен.',
    'promo-used-up': 'Этот промокод уже исчерпан.',
    'promo-already-redeemed': 'Вы уже использовали этот промокод.',
    'promo-not-granted': 'Промокод принят, но выдать тариф сейчас не получилось; администраторы бота разберутся.',
    'promo-wallet': 'Промокод принят: {amount} зачислено в кошелёк (/balance).',
    'promo-discount': 'Промокод принят: скидка {discount} на следующую покупку в /plans.',
    'promo-plan-period': 'Промокод принят: доступ действует до {end}.',
    'promo-plan-credits': 'Промокод принят: теперь у вас {credits} кредитов.',
    'balance-empty': 'Ваш кошелёк пуст.',
    'balance-title': 'Ваш баланс:',
    'balance-last': 'Последние операции:',
    'entry-top_up': 'пополнение',
    'entry-spend': 'оплата',
    'entry-refund': 'возврат',
    'entry-referral_reward': 'реферальная награда',
    'entry-adjustment': 'корректировка',
    renewed: 'Спасибо! {name} продлён до {end}.',
    'subscription-failed':
      'Telegram не смог списать оплату за продление подписки, поэтому она не продлится. Оплаченное действует до конца срока; купить снова можно в /plans.',
    'checkout-unknown-order': 'Этот счёт недействителен в этом чате. Откройте /plans и купите ещё раз.',
    'checkout-already-paid': 'Этот заказ уже оплачен. Повторно ничего не списано.',
    'checkout-order-closed': 'Этот заказ закрыт. Откройте /plans и купите ещё раз.',
    'checkout-plan-unavailable': 'Этот тариф больше не продаётся. Деньги не списаны. Выберите другой в /plans.',
    'checkout-price-changed': 'Цена тарифа изменилась. Деньги не списаны. Откройте /plans и купите ещё раз.',
    'checkout-try-again': 'Не получилось проверить заказ. Деньги не списаны. Попробуйте ещё раз через минуту.',
    'paid-period': 'Спасибо! {name} ваш до {end}.',
    'paid-credits': 'Спасибо! {name}: теперь у вас {credits} кредитов.',
    'paid-unmatched': 'Спасибо! Не удалось найти заказ для этого платежа; администраторы бота разберутся.',
    'paid-not-granted': 'Спасибо! Платёж записан, но выдать тариф сейчас не получилось; администраторы бота разберутся.',
    refunded: 'Ваш платёж ⭐ {amount} возвращён.',
  },
} as const;

export type PaymentsTextKey = keyof (typeof TEXTS)['en'];

/** The text `key` in `language` (English when the service has no texts in it), `{name}` filled from `variables`. */
export function paymentsTranslate(language: string, key: string, variables: Readonly<Record<string, string | number>> = {}): string {
  const texts: Readonly<Record<string, string>> = language in TEXTS ? TEXTS[language as keyof typeof TEXTS] : TEXTS.en;
  const template = texts[key] ?? (TEXTS.en as Readonly<Record<string, string>>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in variables ? String(variables[name]) : whole));
}
