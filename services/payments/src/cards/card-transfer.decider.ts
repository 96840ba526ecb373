import type { Decider, DomainEvent } from '@botplatform/event-store';
import { CardInvalidError, ReceiptMissingError, ReceiptNotAwaitedError, TransferAlreadyReviewedError, TransferNotFoundError } from './cards.errors.js';

export interface OpenTransfer {
  readonly type: 'OpenTransfer';
  readonly paymentId: string;
  readonly botId: string;
  readonly telegramUserId: string;
  readonly language: string;
  readonly planId: string;
  readonly cardId: string;
  readonly trackingNumber: number;
  readonly currency: string;
  /** Minor units, a decimal string. */
  readonly amount: string;
  readonly now: string;
}

export type ReceiptKind = 'photo' | 'document' | 'text';

export interface SubmitReceipt {
  readonly type: 'SubmitReceipt';
  readonly paymentId: string;
  readonly kind: ReceiptKind;
  /** Telegram's file id (photo, document): the admins get the same file. */
  readonly fileId?: string;
  /** The text, or the caption. */
  readonly text?: string;
  readonly now: string;
}

export interface ApproveTransfer {
  readonly type: 'ApproveTransfer';
  readonly paymentId: string;
  readonly reviewedBy: string;
  readonly now: string;
}

export interface RejectTransfer {
  readonly type: 'RejectTransfer';
  readonly paymentId: string;
  readonly reviewedBy: string;
  readonly reason: string;
  readonly now: string;
}

export type CardTransferCommand = OpenTransfer | SubmitReceipt | ApproveTransfer | RejectTransfer;

type TransferData = Omit<OpenTransfer, 'type' | 'now'>;

export type TransferOpened = DomainEvent<'CardTransferOpened', TransferData & { openedAt: string }>;
export type ReceiptSubmitted = DomainEvent<
  'CardReceiptSubmitted',
  { paymentId: string; botId: string; kind: ReceiptKind; fileId?: string; text?: string; submittedAt: string }
>;
/**
 * What the reviewed transfer was for, carried by the review's events so they are published as they are
 * (payments.card_transfer.approved / rejected); optional because events stored before they carried it
 * lack it (those stay internal).
 */
interface ReviewedTransfer {
  readonly telegramUserId?: string;
  readonly planId?: string;
  readonly currency?: string;
  /** Minor units, a decimal string. */
  readonly amount?: string;
  readonly trackingNumber?: number;
}
export type TransferApproved = DomainEvent<
  'CardTransferApproved',
  ReviewedTransfer & { paymentId: string; botId: string; reviewedBy: string; approvedAt: string }
>;
export type TransferRejected = DomainEvent<
  'CardTransferRejected',
  ReviewedTransfer & { paymentId: string; botId: string; reviewedBy: string; reason: string; rejectedAt: string }
>;

export type CardTransferEvent = TransferOpened | ReceiptSubmitted | TransferApproved | TransferRejected;

export type CardTransferStatus = 'awaiting_receipt' | 'in_review' | 'approved' | 'rejected';

export type CardTransferState =
  | { readonly status: 'none' }
  | (TransferData & {
      readonly status: CardTransferStatus;
      readonly receipt: { readonly kind: ReceiptKind; readonly fileId?: string; readonly text?: string } | null;
      readonly reviewedBy: string | null;
      readonly reason: string | null;
    });

const REASON_MAX = 500;
const RECEIPT_TEXT_MAX = 2000;

/**
 * One card-to-card transfer (stream `card-transfer-<paymentId>`, beside the payment it pays): opened with
 * its card and tracking number → the member's receipt (once) → approved or rejected by an admin (once).
 * The same decision again decides nothing; the other decision after one is refused.
 */
export const cardTransferDecider: Decider<CardTransferState, CardTransferCommand, CardTransferEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'CardTransferOpened': {
        const { openedAt: _at, ...data } = event.data;
        return { ...data, status: 'awaiting_receipt', receipt: null, reviewedBy: null, reason: null };
      }
      case 'CardReceiptSubmitted': {
        if (state.status === 'none') return state;
        const { kind, fileId, text } = event.data;
        return { ...state, status: 'in_review', receipt: { kind, ...(fileId ? { fileId } : {}), ...(text ? { text } : {}) } };
      }
      case 'CardTransferApproved':
        return state.status === 'none' ? state : { ...state, status: 'approved', reviewedBy: event.data.reviewedBy };
      case 'CardTransferRejected':
        return state.status === 'none' ? state : { ...state, status: 'rejected', reviewedBy: event.data.reviewedBy, reason: event.data.reason };
    }
  },

  decide: (command, state) => {
    if (command.type === 'OpenTransfer') {
      if (state.status !== 'none') return [];
      const { type: _type, now, ...data } = command;
      return [{ type: 'CardTransferOpened', data: { ...data, openedAt: now } }];
    }
    if (state.status === 'none') throw new TransferNotFoundError(command.paymentId);
    const ids = { paymentId: state.paymentId, botId: state.botId };
    const reviewed = {
      telegramUserId: state.telegramUserId,
      planId: state.planId,
      currency: state.currency,
      amount: state.amount,
      trackingNumber: state.trackingNumber,
    };
    switch (command.type) {
      case 'SubmitReceipt': {
        if (state.status !== 'awaiting_receipt') throw new ReceiptNotAwaitedError(state.paymentId, state.status);
        const text = command.text?.trim() ?? '';
        if (command.kind === 'text' ? text.length === 0 : !command.fileId) throw new CardInvalidError('a receipt is a photo, a document or a text');
        if (text.length > RECEIPT_TEXT_MAX) throw new CardInvalidError(`a receipt's text is at most ${RECEIPT_TEXT_MAX} characters`);
        return [
          {
            type: 'CardReceiptSubmitted',
            data: { ...ids, kind: command.kind, ...(command.fileId ? { fileId: command.fileId } : {}), ...(text ? { text } : {}), submittedAt: command.now },
          },
        ];
      }
      case 'ApproveTransfer':
        if (state.status === 'approved') return [];
        if (state.status === 'rejected') throw new TransferAlreadyReviewedError(state.paymentId, state.status);
        if (state.status === 'awaiting_receipt') throw new ReceiptMissingError(state.paymentId);
        return [{ type: 'CardTransferApproved', data: { ...ids, ...reviewed, reviewedBy: command.reviewedBy, approvedAt: command.now } }];
      case 'RejectTransfer': {
        if (state.status === 'rejected') return [];
        if (state.status === 'approved') throw new TransferAlreadyReviewedError(state.paymentId, state.status);
        if (state.status === 'awaiting_receipt') throw new ReceiptMissingError(state.paymentId);
        const reason = command.reason.trim();
        if (reason.length === 0 || reason.length > REASON_MAX) throw new CardInvalidError(`a reason is 1 to ${REASON_MAX} characters`);
        return [{ type: 'CardTransferRejected', data: { ...ids, ...reviewed, reviewedBy: command.reviewedBy, reason, rejectedAt: command.now } }];
      }
    }
  },
};

export const cardTransferStreamId = (paymentId: string): string => `card-transfer-${paymentId}`;
