import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { GatewayClient } from '../shared/gateway.client.js';
import { PaymentCommands } from './payment-commands.js';
import type { PaymentState } from './payment.decider.js';
import { Payment } from './payment.entity.js';
import { StarSubscriptionCanceledByMemberError } from './payment.errors.js';

export interface SwitchStarRenewalInput {
  readonly botId: string;
  readonly telegramUserId: string;
  readonly on: boolean;
}

/**
 * The member's renewal switch (subscriptions' /subscription) for a Stars subscription: Telegram charges by
 * itself, so the switch must reach it (`editUserStarSubscription` through the gateway) before subscriptions
 * records it. The member's live Stars subscription is their newest completed recurring payment whose
 * renewal Telegram has not failed; none means the switch is subscriptions' alone. The state is noted on the
 * payment's stream like Telegram's own `subscription` update.
 */
@Injectable()
export class SwitchStarRenewalUseCase {
  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentCommands,
    private readonly gateway: GatewayClient,
    private readonly clock: Clock,
  ) {}

  async execute(input: SwitchStarRenewalInput): Promise<{ starsSubscription: boolean }> {
    const live = await this.liveSubscription(input.botId, input.telegramUserId);
    if (!live || live.status === 'none' || live.chargeId === null) return { starsSubscription: false };
    const edited = await this.gateway.editStarSubscription({
      botId: input.botId,
      telegramUserId: input.telegramUserId,
      chargeId: live.chargeId,
      isCanceled: !input.on,
    });
    if (edited.refused === 'GATEWAY.SUBSCRIPTION_CANCELED_BY_USER') throw new StarSubscriptionCanceledByMemberError(live.paymentId);
    // Telegram no longer knows it (ended): nothing of Telegram's to switch.
    if (edited.refused === 'GATEWAY.CHARGE_NOT_FOUND') return { starsSubscription: false };
    await this.payments.handle(
      { type: 'NoteStarSubscriptionState', paymentId: live.paymentId, state: input.on ? 'active' : 'canceled', now: this.clock.now().toISOString() },
      { botId: input.botId, actor: { kind: 'user', id: `telegram:${input.telegramUserId}` } },
    );
    return { starsSubscription: true };
  }

  private async liveSubscription(botId: string, telegramUserId: string): Promise<PaymentState | undefined> {
    const rows = await this.orm.em.fork().find(Payment, { botId, telegramUserId, status: 'completed' }, { orderBy: { createdAt: 'desc' }, limit: 20 });
    const now = this.clock.now().getTime();
    for (const row of rows) {
      const state = await this.payments.state(row.paymentId);
      if (state.status !== 'completed' || state.subscriptionPeriod === null || state.subscriptionState === 'failed') continue;
      if (state.subscriptionExpiresAt !== null && Date.parse(state.subscriptionExpiresAt) <= now) continue;
      return state;
    }
    return undefined;
  }
}
