import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { PaymentCommands } from './payment-commands.js';
import type { StarSubscriptionState } from './payment.decider.js';
import { PaymentNotFoundError } from './payment.errors.js';

export interface NoteStarSubscriptionInput {
  readonly botId: string;
  readonly telegramUserId: string;
  /** The invoice payload: our payment id. */
  readonly paymentId: string;
  readonly state: string;
}

const STATES: readonly StarSubscriptionState[] = ['active', 'canceled', 'failed'];

/**
 * Telegram's `subscription` update, from the member's own switch in Telegram or a renewal Telegram could
 * not charge: noted on the payment's stream, then the member's renewal in subscriptions follows at once.
 * `canceled` and `failed` turn renewal off (no further charge will come; what is paid runs to its end),
 * `active` turns it back on. Both steps are idempotent, so a redelivered update changes nothing twice,
 * and a retry after a crash between them finishes the second.
 */
@Injectable()
export class NoteStarSubscriptionUseCase {
  constructor(
    private readonly payments: PaymentCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly clock: Clock,
  ) {}

  /** The state noted and whether the member's renewal changed; no state for one Telegram does not document. */
  async execute(input: NoteStarSubscriptionInput): Promise<{ state: StarSubscriptionState | undefined; changed: boolean }> {
    const payment = await this.payments.state(input.paymentId);
    if (payment.status === 'none' || payment.botId !== input.botId || payment.telegramUserId !== input.telegramUserId) {
      throw new PaymentNotFoundError(input.paymentId);
    }
    // Telegram documents only these three; anything else is noted nowhere and switches nothing.
    const state = STATES.find((known) => known === input.state);
    if (!state) return { state: undefined, changed: false };
    await this.payments.handle(
      { type: 'NoteStarSubscriptionState', paymentId: input.paymentId, state, now: this.clock.now().toISOString() },
      { botId: input.botId, actor: { kind: 'user', id: `telegram:${input.telegramUserId}` } },
    );
    const member = { botId: input.botId, telegramUserId: input.telegramUserId };
    const changed = state === 'active' ? await this.subscriptions.resumeRenewal(member) : await this.subscriptions.cancelRenewal(member);
    return { state, changed };
  }
}
