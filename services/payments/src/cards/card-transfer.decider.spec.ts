import { DeciderSpecification } from '@botplatform/event-store';
import { CardInvalidError, ReceiptMissingError, ReceiptNotAwaitedError, TransferAlreadyReviewedError, TransferNotFoundError } from './cards.errors.js';
import { cardTransferDecider, type CardTransferEvent, type TransferOpened } from './card-transfer.decider.js';

const now = '2026-11-30T12:00:00.000Z';
const opened: TransferOpened = {
  type: 'CardTransferOpened',
  data: {
    paymentId: 'p',
    botId: 'b',
    telegramUserId: '42',
    language: 'ru',
    planId: 'plan',
    cardId: 'c',
    trackingNumber: 7,
    currency: 'RUB',
    amount: '49900',
    openedAt: now,
  },
};
// What the review's events carry of the transfer, for their public events.
const reviewed = { telegramUserId: '42', planId: 'plan', currency: 'RUB', amount: '49900', trackingNumber: 7 };
const photo: CardTransferEvent = { type: 'CardReceiptSubmitted', data: { paymentId: 'p', botId: 'b', kind: 'photo', fileId: 'F', submittedAt: now } };
const approved: CardTransferEvent = { type: 'CardTransferApproved', data: { paymentId: 'p', botId: 'b', reviewedBy: 'telegram:1', approvedAt: now } };
const rejected: CardTransferEvent = {
  type: 'CardTransferRejected',
  data: { paymentId: 'p', botId: 'b', reviewedBy: 'telegram:1', reason: 'no money', rejectedAt: now },
};
const spec = () => DeciderSpecification.for(cardTransferDecider);
const approve = { type: 'ApproveTransfer', paymentId: 'p', reviewedBy: 'telegram:2', now } as const;
const reject = { type: 'RejectTransfer', paymentId: 'p', reviewedBy: 'telegram:2', reason: ' wrong amount ', now } as const;

describe('The card transfer decider', () => {
  it('opens once', () => {
    const { openedAt: _at, ...data } = opened.data;
    spec()
      .given([])
      .when({ type: 'OpenTransfer', ...data, now })
      .then([opened]);
    spec()
      .given([opened])
      .when({ type: 'OpenTransfer', ...data, now })
      .then([]);
  });

  it('takes one receipt, a photo, a document or a text; a second is refused', () => {
    spec().given([opened]).when({ type: 'SubmitReceipt', paymentId: 'p', kind: 'photo', fileId: 'F', now }).then([photo]);
    spec()
      .given([opened])
      .when({ type: 'SubmitReceipt', paymentId: 'p', kind: 'text', text: ' paid from 1234 ', now })
      .then([{ type: 'CardReceiptSubmitted', data: { paymentId: 'p', botId: 'b', kind: 'text', text: 'paid from 1234', submittedAt: now } }]);
    spec().given([opened]).when({ type: 'SubmitReceipt', paymentId: 'p', kind: 'text', text: '  ', now }).thenThrows(CardInvalidError);
    spec().given([opened, photo]).when({ type: 'SubmitReceipt', paymentId: 'p', kind: 'photo', fileId: 'F', now }).thenThrows(ReceiptNotAwaitedError);
    spec().given([]).when({ type: 'SubmitReceipt', paymentId: 'p', kind: 'photo', fileId: 'F', now }).thenThrows(TransferNotFoundError);
  });

  it('is approved once: a second approval decides nothing, approve after reject is refused', () => {
    spec()
      .given([opened, photo])
      .when(approve)
      .then([{ type: 'CardTransferApproved', data: { paymentId: 'p', botId: 'b', ...reviewed, reviewedBy: 'telegram:2', approvedAt: now } }]);
    spec().given([opened, photo, approved]).when(approve).then([]);
    spec().given([opened, photo, rejected]).when(approve).thenThrows(TransferAlreadyReviewedError);
    spec().given([opened]).when(approve).thenThrows(ReceiptMissingError);
  });

  it('is rejected once with a reason: reject after approve is refused', () => {
    spec()
      .given([opened, photo])
      .when(reject)
      .then([
        { type: 'CardTransferRejected', data: { paymentId: 'p', botId: 'b', ...reviewed, reviewedBy: 'telegram:2', reason: 'wrong amount', rejectedAt: now } },
      ]);
    spec().given([opened, photo, rejected]).when(reject).then([]);
    spec().given([opened, photo, approved]).when(reject).thenThrows(TransferAlreadyReviewedError);
    spec()
      .given([opened, photo])
      .when({ ...reject, reason: '' })
      .thenThrows(CardInvalidError);
  });
});
