import type { PlanViewJson } from '@botplatform/contracts';
import { planTextIn } from '../payment/create-payment.use-case.js';
import { paymentsTranslate } from '../i18n/payments-texts.js';
import { formatMinorUnits } from './money.js';
import { formatTrackingNumber, groupCardNumber } from './payment-cards.decider.js';
import type { StartedCardTransfer } from './start-card-transfer.use-case.js';

/** The member's screen after choosing card transfer: the card, the exact amount and the tracking number. */
export function cardDetailsText(language: string, transfer: StartedCardTransfer, plan: PlanViewJson | undefined): string {
  return paymentsTranslate(language, 'card-details', {
    tracking: formatTrackingNumber(transfer.trackingNumber),
    plan: plan ? planTextIn(plan, language).name : '',
    amount: formatMinorUnits(transfer.amount, transfer.currency),
    number: groupCardNumber(transfer.card.number),
    holder: transfer.card.holder,
    bank: transfer.card.bank,
  });
}
