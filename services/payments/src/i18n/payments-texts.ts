/** The payments service's texts in the members' languages (English is the fallback). */
const TEXTS = {
  en: {
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
    // Card-to-card (cards/card-transfer.feature.ts).
    'command-receipt': 'Send the receipt of a card transfer',
    'card-details':
      'Card transfer {tracking}\n{plan}: {amount}\n\nTransfer exactly {amount} to the card\n{number}\n{holder} · {bank}\n\nThen send the receipt here as a photo or a document, or send /receipt to type it. Your tracking number is {tracking}.',
    'card-receipt-ask': 'Send the receipt of transfer {tracking}: a photo, a document or a text.',
    'card-receipt-none': 'You have no card transfer waiting for a receipt. Choose a plan in /plans.',
    'card-receipt-taken': 'Thank you! Your receipt for {tracking} is with the bot’s admins; you will be told once they have checked it.',
    'card-receipt-already': 'The receipt for {tracking} was received already; it is being checked.',
    'card-approved': 'Your card transfer {tracking} is confirmed. {plan} is yours until {end}.',
    'card-approved-credits': 'Your card transfer {tracking} is confirmed. {plan}: you now have {credits} credits.',
    'card-rejected': 'Your card transfer {tracking} was not confirmed: {reason}\nNothing was given. Choose a plan in /plans to try again.',
    'card-review': 'Card transfer {tracking}\n{plan}: {amount}\nCard {card}\nFrom {member} (id {memberId})\n{receipt}',
    'card-review-approve': '✅ Approve',
    'card-review-reject': '❌ Reject',
    'card-review-not-admin': 'Only the bot’s admins review receipts.',
    'card-review-approved': '{tracking} approved by {admin}.',
    'card-review-already-approved': '{tracking} was approved already.',
    'card-review-already-rejected': '{tracking} was rejected already.',
    'card-review-unknown': 'This transfer is not known here.',
    'card-review-no-receipt': '{tracking} has no receipt to review.',
    'card-review-reason-ask': 'Reply with the reason for rejecting {tracking}.',
    'card-review-rejected': '{tracking} rejected by {admin}: {reason}',
  },
  ru: {
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
    'command-receipt': 'Отправить чек перевода на карту',
    'card-details':
      'Перевод на карту {tracking}\n{plan}: {amount}\n\nПереведите ровно {amount} на карту\n{number}\n{holder} · {bank}\n\nЗатем пришлите сюда чек фото или документом, или отправьте /receipt, чтобы написать его текстом. Номер вашего перевода: {tracking}.',
    'card-receipt-ask': 'Пришлите чек перевода {tracking}: фото, документ или текст.',
    'card-receipt-none': 'У вас нет перевода на карту, ожидающего чек. Выберите тариф в /plans.',
    'card-receipt-taken': 'Спасибо! Чек по переводу {tracking} передан администраторам бота; мы сообщим, когда они его проверят.',
    'card-receipt-already': 'Чек по переводу {tracking} уже получен и проверяется.',
    'card-approved': 'Перевод {tracking} подтверждён. {plan} ваш до {end}.',
    'card-approved-credits': 'Перевод {tracking} подтверждён. {plan}: теперь у вас {credits} кредитов.',
    'card-rejected': 'Перевод {tracking} не подтверждён: {reason}\nНичего не выдано. Чтобы попробовать снова, выберите тариф в /plans.',
    'card-review': 'Перевод на карту {tracking}\n{plan}: {amount}\nКарта {card}\nОт {member} (id {memberId})\n{receipt}',
    'card-review-approve': '✅ Подтвердить',
    'card-review-reject': '❌ Отклонить',
    'card-review-not-admin': 'Чеки проверяют только администраторы бота.',
    'card-review-approved': '{tracking} подтверждён: {admin}.',
    'card-review-already-approved': '{tracking} уже подтверждён.',
    'card-review-already-rejected': '{tracking} уже отклонён.',
    'card-review-unknown': 'Этот перевод здесь неизвестен.',
    'card-review-no-receipt': 'У {tracking} нет чека для проверки.',
    'card-review-reason-ask': 'Ответьте причиной отклонения {tracking}.',
    'card-review-rejected': '{tracking} отклонён ({admin}): {reason}',
  },
} as const;

export type PaymentsTextKey = keyof (typeof TEXTS)['en'];

/** The text `key` in `language` (English when the service has no texts in it), `{name}` filled from `variables`. */
export function paymentsTranslate(language: string, key: string, variables: Readonly<Record<string, string | number>> = {}): string {
  const texts: Readonly<Record<string, string>> = language in TEXTS ? TEXTS[language as keyof typeof TEXTS] : TEXTS.en;
  const template = texts[key] ?? (TEXTS.en as Readonly<Record<string, string>>)[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in variables ? String(variables[name]) : whole));
}
