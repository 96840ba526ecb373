import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, type Actor, type EventContext } from '@botplatform/event-store';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WalletEntryRow } from './wallet-entry.entity.js';
import { walletDecider, walletStreamId, type RecordWalletEntry, type WalletEvent, type WalletState } from './wallet.decider.js';
import { walletProjection } from './wallet.projection.js';

/**
 * Runs wallet entries on their streams with the stream locked (ADR 0004): 50 spends of one wallet queue
 * on the lock and each decides on the balance the previous one left, so none is lost to a retry and the
 * balance never goes below zero. The ledger's read model commits with each entry.
 */
@Injectable()
export class WalletCommands {
  private readonly commands: CommandHandler<WalletState, RecordWalletEntry, WalletEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly orm: MikroORM,
  ) {
    this.commands = new CommandHandler(store, walletDecider, { projections: [walletProjection], lockStream: true });
  }

  /** Records the entry (inside `em`'s transaction when given, so a payment can commit with it). */
  async record(command: RecordWalletEntry, actor: Actor, options: { em?: EntityManager } = {}) {
    const context: EventContext = {
      botId: command.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor,
      occurredAt: new Date(command.now),
    };
    const result = await this.commands.handle(walletStreamId(command.botId, command.telegramUserId, command.currency), command, context, options);
    const entry = result.state.entries.get(command.entryId);
    return { balance: result.state.balance, entry: entry!, changed: result.newEvents.length > 0 };
  }

  /** The member's balances per currency (the last entry of each), and the ledger's last `limit` entries, newest first. */
  async ledger(botId: string, telegramUserId: string, limit: number): Promise<{ balances: { currency: string; amount: string }[]; entries: WalletEntryRow[] }> {
    const em = this.orm.em.fork();
    const balances = await em.getConnection().execute<{ currency: string; balance_after: string }[]>(
      `SELECT DISTINCT ON (currency) currency, balance_after::text AS balance_after FROM payments.wallet_entries
          WHERE bot_id = ? AND telegram_user_id = ? ORDER BY currency, position DESC`,
      [botId, telegramUserId],
    );
    const entries = await em.find(WalletEntryRow, { botId, telegramUserId }, { orderBy: { position: 'desc' }, limit });
    return { balances: balances.map((row) => ({ currency: row.currency, amount: row.balance_after })), entries };
  }
}
