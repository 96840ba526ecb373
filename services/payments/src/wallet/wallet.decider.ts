import type { Decider, DomainEvent } from '@botplatform/event-store';
import { InsufficientBalanceError, WalletAmountInvalidError, WalletReasonMissingError, WalletRequestReusedError } from './wallet.errors.js';

/** Amounts are decimal strings of int64 minor units: exact, never floats. */
export type MinorUnits = string;

export type WalletEntryKind = 'top_up' | 'spend' | 'refund' | 'referral_reward' | 'referral_reversal' | 'adjustment';

/**
 * One line of the ledger, asked for by a request: `entryId` is its idempotency key (the same id again
 * records nothing), `amount` is signed by the decider from the kind (a spend takes, a top-up gives; an
 * adjustment carries its own sign). A `referral_reversal` takes back a referral reward whose payment was
 * refunded: at most the balance (the wallet never goes below zero, ADR 0020), so it may take less than
 * asked, even nothing; its `amount` is the reward it takes back.
 */
export interface RecordWalletEntry {
  readonly type: 'RecordWalletEntry';
  readonly botId: string;
  readonly telegramUserId: string;
  readonly currency: string;
  readonly kind: WalletEntryKind;
  readonly entryId: string;
  /** Positive for every kind but `adjustment`, whose sign says which way. */
  readonly amount: MinorUnits;
  /** Required of an adjustment. */
  readonly reason?: string;
  /** Who: "telegram:<id>", "api:<token id>", "payments"… */
  readonly by: string;
  /** What it pays or gives back (a payment id…). */
  readonly reference?: string;
  readonly now: string;
}

export type WalletCommand = RecordWalletEntry;

interface EntryData {
  botId: string;
  telegramUserId: string;
  currency: string;
  entryId: string;
  /** Signed. */
  amount: MinorUnits;
  balanceAfter: MinorUnits;
  by: string;
  reason?: string;
  reference?: string;
  recordedAt: string;
}

export type WalletToppedUp = DomainEvent<'WalletToppedUp', EntryData>;
export type WalletSpent = DomainEvent<'WalletSpent', EntryData>;
export type WalletRefunded = DomainEvent<'WalletRefunded', EntryData>;
export type WalletReferralRewarded = DomainEvent<'WalletReferralRewarded', EntryData>;
/** `amount` is what it took (signed, maybe "0"), `requested` the reward it was to take back. */
export type WalletReferralReversed = DomainEvent<'WalletReferralReversed', EntryData & { requested: MinorUnits }>;
export type WalletAdjusted = DomainEvent<'WalletAdjusted', EntryData & { reason: string }>;

export type WalletEvent = WalletToppedUp | WalletSpent | WalletRefunded | WalletReferralRewarded | WalletReferralReversed | WalletAdjusted;

export const WALLET_EVENT_TYPES = [
  'WalletToppedUp',
  'WalletSpent',
  'WalletRefunded',
  'WalletReferralRewarded',
  'WalletReferralReversed',
  'WalletAdjusted',
] as const satisfies readonly WalletEvent['type'][];

const EVENT_OF_KIND = {
  top_up: 'WalletToppedUp',
  spend: 'WalletSpent',
  refund: 'WalletRefunded',
  referral_reward: 'WalletReferralRewarded',
  referral_reversal: 'WalletReferralReversed',
  adjustment: 'WalletAdjusted',
} as const satisfies Record<WalletEntryKind, WalletEvent['type']>;

export const KIND_OF_EVENT: Record<WalletEvent['type'], WalletEntryKind> = {
  WalletToppedUp: 'top_up',
  WalletSpent: 'spend',
  WalletRefunded: 'refund',
  WalletReferralRewarded: 'referral_reward',
  WalletReferralReversed: 'referral_reversal',
  WalletAdjusted: 'adjustment',
};

export interface RecordedEntry {
  readonly kind: WalletEntryKind;
  readonly amount: MinorUnits;
  readonly balanceAfter: MinorUnits;
  readonly recordedAt: string;
}

export interface WalletState {
  readonly balance: bigint;
  /** Every entry by its request id: a request seen again is answered from here. */
  readonly entries: ReadonlyMap<string, RecordedEntry>;
}

const MAX_AMOUNT = 2n ** 63n - 1n;

function parseAmount(amount: string): bigint {
  if (!/^-?[0-9]{1,19}$/.test(amount)) throw new WalletAmountInvalidError(amount);
  const value = BigInt(amount);
  if (value > MAX_AMOUNT || value < -MAX_AMOUNT) throw new WalletAmountInvalidError(amount);
  return value;
}

/**
 * One member's wallet in one bot and one currency: a ledger whose balance never goes below zero. Each
 * entry is recorded once per request id; a spend the balance does not cover is refused whole.
 */
export const walletDecider: Decider<WalletState, WalletCommand, WalletEvent> = {
  initialState: () => ({ balance: 0n, entries: new Map() }),

  evolve: (state, event) => {
    const entries = new Map(state.entries);
    entries.set(event.data.entryId, {
      kind: KIND_OF_EVENT[event.type],
      amount: event.data.amount,
      balanceAfter: event.data.balanceAfter,
      recordedAt: event.data.recordedAt,
    });
    return { balance: BigInt(event.data.balanceAfter), entries };
  },

  decide: (command, state) => {
    const magnitude = parseAmount(command.amount);
    if (command.kind === 'adjustment' ? magnitude === 0n : magnitude <= 0n) throw new WalletAmountInvalidError(command.amount);
    const seen = state.entries.get(command.entryId);
    if (command.kind === 'referral_reversal') {
      // Taken back once, whatever the balance is when it is asked again.
      if (seen) {
        if (seen.kind !== command.kind) throw new WalletRequestReusedError(command.entryId);
        return [];
      }
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
      const taken = magnitude < state.balance ? magnitude : state.balance;
      return [
        {
          type: 'WalletReferralReversed',
          data: {
            botId: command.botId,
            telegramUserId: command.telegramUserId,
            currency: command.currency,
            entryId: command.entryId,
            amount: (-taken).toString(),
            balanceAfter: (state.balance - taken).toString(),
            by: command.by,
            ...(command.reason ? { reason: command.reason } : {}),
            ...(command.reference ? { reference: command.reference } : {}),
            recordedAt: command.now,
            requested: magnitude.toString(),
          },
        },
      ];
    }
    const signed = command.kind === 'adjustment' ? magnitude : command.kind === 'spend' ? -magnitude : magnitude;
    if (seen) {
      // The same request again: recorded once. Another entry under the same id is a caller's mistake.
      if (seen.kind !== command.kind || BigInt(seen.amount) !== signed) throw new WalletRequestReusedError(command.entryId);
      return [];
    }
    const after = state.balance + signed;
    if (after < 0n) throw new InsufficientBalanceError(command.currency, state.balance.toString(), (-signed).toString());
    if (after > MAX_AMOUNT) throw new WalletAmountInvalidError(command.amount);
    const data: EntryData = {
      botId: command.botId,
      telegramUserId: command.telegramUserId,
      currency: command.currency,
      entryId: command.entryId,
      amount: signed.toString(),
      balanceAfter: after.toString(),
      by: command.by,
      ...(command.reason ? { reason: command.reason } : {}),
      ...(command.reference ? { reference: command.reference } : {}),
      recordedAt: command.now,
    };
    if (command.kind === 'adjustment') {
      if (!command.reason) throw new WalletReasonMissingError();
      return [{ type: 'WalletAdjusted', data: { ...data, reason: command.reason } }];
    }
    return [{ type: EVENT_OF_KIND[command.kind], data } as WalletEvent];
  },
};

/** The stream of one member's wallet in one bot and currency: the lock of its spends. */
export const walletStreamId = (botId: string, telegramUserId: string, currency: string): string => `wallet-${botId}-${telegramUserId}-${currency}`;
