import type { WalletBalanceReplyJson, WalletEntryJson, WalletEntryKindJson, WalletEntryReplyJson } from '@botplatform/contracts';
import type { Actor } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { KeyedQueue } from '../shared/keyed-queue.js';
import type { WalletEntryRow } from './wallet-entry.entity.js';
import { WalletCommands } from './wallet-commands.js';
import type { RecordWalletEntry, WalletEntryKind } from './wallet.decider.js';

export const ENTRY_KINDS: Record<WalletEntryKind, WalletEntryKindJson> = {
  top_up: 'WALLET_ENTRY_KIND_TOP_UP',
  spend: 'WALLET_ENTRY_KIND_SPEND',
  refund: 'WALLET_ENTRY_KIND_REFUND',
  referral_reward: 'WALLET_ENTRY_KIND_REFERRAL_REWARD',
  referral_reversal: 'WALLET_ENTRY_KIND_REFERRAL_REVERSAL',
  adjustment: 'WALLET_ENTRY_KIND_ADJUSTMENT',
};

export type WalletEntryInput = Omit<RecordWalletEntry, 'type' | 'now'>;

/**
 * A top-up, an adjustment or a spend asked over RPC: recorded once per request id on the member's
 * wallet stream (locked), the reply says the entry, the balance after it and whether this request made it.
 */
@Injectable()
export class RecordWalletEntryUseCase {
  /**
   * Requests on one wallet in this process wait their turn here, holding no database connection (50
   * spends at once would otherwise each hold a pooled connection while queueing on the stream's lock,
   * and the last could wait past the pool's acquire timeout). The stream lock still serialises replicas.
   */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly wallet: WalletCommands,
    private readonly clock: Clock,
  ) {}

  async execute(input: WalletEntryInput, actor: Actor): Promise<WalletEntryReplyJson> {
    const command: RecordWalletEntry = { type: 'RecordWalletEntry', ...input, now: this.clock.now().toISOString() };
    const result = await this.queue.run(`${input.botId}:${input.telegramUserId}:${input.currency}`, () => this.wallet.record(command, actor));
    return {
      entry: {
        entryId: input.entryId,
        kind: ENTRY_KINDS[result.entry.kind],
        currency: input.currency,
        amount: result.entry.amount,
        balanceAfter: result.entry.balanceAfter,
        ...(input.reason ? { reason: input.reason } : {}),
        by: input.by,
        ...(input.reference ? { reference: input.reference } : {}),
        recordedAt: new Date(result.entry.recordedAt).toISOString(),
      },
      balance: result.balance.toString(),
      changed: result.changed,
    };
  }
}

/** The member's balances and the ledger's last entries (10 unless asked otherwise). */
@Injectable()
export class GetWalletBalanceUseCase {
  constructor(private readonly wallet: WalletCommands) {}

  async execute(input: { botId: string; telegramUserId: string; lastEntries?: number }): Promise<WalletBalanceReplyJson> {
    const ledger = await this.wallet.ledger(input.botId, input.telegramUserId, input.lastEntries ?? 10);
    return { balances: ledger.balances, entries: ledger.entries.map(entryJson) };
  }
}

export function entryJson(row: WalletEntryRow): WalletEntryJson {
  return {
    entryId: row.entryId,
    kind: ENTRY_KINDS[row.kind],
    currency: row.currency,
    amount: String(row.amount),
    balanceAfter: String(row.balanceAfter),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.by ? { by: row.by } : {}),
    ...(row.reference ? { reference: row.reference } : {}),
    recordedAt: row.recordedAt.toISOString(),
  };
}
