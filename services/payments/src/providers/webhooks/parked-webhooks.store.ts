import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ProviderId } from '../payment-provider.js';

/** Why a verified webhook was parked rather than applied. */
export type ParkReason = 'unknown-payment' | 'amount-mismatch' | 'not-payable' | 'malformed';

export interface ParkedWebhook {
  readonly parkedId: string;
  readonly provider: ProviderId;
  readonly updateId: string;
  readonly paymentId: string | null;
  readonly chargeId: string | null;
  readonly reason: ParkReason;
  readonly deliveries: number;
  readonly receivedAt: Date;
  readonly body: string;
}

interface ParkedRow {
  parked_id: string;
  provider: ProviderId;
  update_id: string;
  payment_id: string | null;
  charge_id: string | null;
  reason: ParkReason;
  deliveries: number;
  received_at: Date;
  body: string;
}

/**
 * Signed webhooks that could not be applied (no such payment of the bot, another amount, a payment no
 * longer payable), answered 200 so the provider stops retrying, and kept in `payments.parked_webhooks`
 * for an operator (`rpc.payments.list-parked-webhooks`). The same update again counts a delivery on
 * its row, never a second row.
 */
@Injectable()
export class ParkedWebhooks {
  constructor(private readonly orm: MikroORM) {}

  async park(input: {
    provider: ProviderId;
    botId: string;
    updateId: string;
    paymentId: string | undefined;
    chargeId: string | undefined;
    reason: ParkReason;
    body: Buffer;
    now: Date;
  }): Promise<void> {
    await this.orm.em.fork().execute(
      `INSERT INTO payments.parked_webhooks (provider, bot_id, update_id, payment_id, charge_id, reason, body, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, bot_id, update_id) DO UPDATE SET deliveries = parked_webhooks.deliveries + 1`,
      [input.provider, input.botId, input.updateId, input.paymentId ?? null, input.chargeId ?? null, input.reason, input.body.toString('utf8'), input.now],
    );
  }

  /** The bot's parked webhooks, newest first. */
  async list(botId: string, limit: number): Promise<ParkedWebhook[]> {
    const rows = await this.orm.em
      .fork()
      .execute<ParkedRow[]>(
        'SELECT parked_id::text AS parked_id, provider, update_id, payment_id, charge_id, reason, deliveries, received_at, body FROM payments.parked_webhooks WHERE bot_id = ? ORDER BY received_at DESC, parked_id DESC LIMIT ?',
        [botId, limit],
      );
    return rows.map((row) => ({
      parkedId: row.parked_id,
      provider: row.provider,
      updateId: row.update_id,
      paymentId: row.payment_id,
      chargeId: row.charge_id,
      reason: row.reason,
      deliveries: row.deliveries,
      receivedAt: new Date(row.received_at),
      body: row.body,
    }));
  }
}
