import type { RedeemPromoCodeReplyJson } from '@botplatform/contracts';
import { PostgresEventStore, type RecordedEvent } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { KeyedQueue } from '../shared/keyed-queue.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { WalletCommands } from '../wallet/wallet-commands.js';
import { PromoCommands } from './promo-commands.js';
import { rewardToJson } from './promo-json.js';
import { normalizeCode, PROMO_CODE, promoDecider, type PromoCodeRedeemed, type PromoReward } from './promo.decider.js';
import { PromoAlreadyRedeemedError, PromoNotFoundError } from './promo.errors.js';

/**
 * A member redeems a code: the redemption is decided on the code's locked stream (active, unexpired,
 * uses left, once per member), and its reward given once, keyed by the redemption id
 * (`promo:<bot>:<code>:<use>`): a wallet top-up commits with the redemption itself; a plan (free days
 * or credits) is granted by subscriptions with that id as the grant id and source PROMO. A grant lost to
 * a crash after the redemption is given when the member tries the code again (their second try is still
 * refused as PAYMENTS.PROMO_ALREADY_REDEEMED). A discount waits for the member's next purchase.
 */
@Injectable()
export class RedeemPromoCodeUseCase {
  /**
   * Redemptions of one code in this process wait their turn here, holding no database connection: 100
   * members racing for a code would otherwise each hold a pooled connection while queueing on the
   * stream's lock, and the last would wait past the pool's acquire timeout. The stream lock still
   * serialises replicas.
   */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly promos: PromoCommands,
    private readonly wallet: WalletCommands,
    private readonly subscriptions: SubscriptionsClient,
    private readonly store: PostgresEventStore,
    private readonly clock: Clock,
  ) {}

  async execute(input: { botId: string; telegramUserId: string; code: string }): Promise<RedeemPromoCodeReplyJson> {
    const code = normalizeCode(input.code);
    if (!PROMO_CODE.test(code)) throw new PromoNotFoundError(code);
    const actor = { kind: 'user', id: `telegram:${input.telegramUserId}` } as const;
    const now = this.clock.now().toISOString();
    const command = { type: 'RedeemPromoCode', botId: input.botId, code, telegramUserId: input.telegramUserId, now } as const;
    let redeemed: PromoCodeRedeemed['data'];
    let balance: bigint | undefined;
    try {
      redeemed = await this.queue.run(`${input.botId}:${code}`, async () => {
        // Refused at once, without a transaction, when the code already says no (used up, redeemed by this
        // member, expired, off): those answers only become more true. A yes is decided again under the lock.
        promoDecider.decide(command, await this.promos.state(input.botId, code));
        return this.store.transaction(async (em) => {
          const result = await this.promos.handle(command, actor, { em });
          const { data } = result.newEvents[0] as RecordedEvent<PromoCodeRedeemed>;
          if (data.reward.kind === 'wallet_top_up') {
            const entry = await this.wallet.record(
              {
                type: 'RecordWalletEntry',
                botId: input.botId,
                telegramUserId: input.telegramUserId,
                currency: data.reward.currency,
                kind: 'top_up',
                entryId: data.redemptionId,
                amount: data.reward.amount,
                by: `promo:${code}`,
                reason: `promo ${code}`,
                now,
              },
              actor,
              { em },
            );
            balance = entry.balance;
          }
          return data;
        });
      });
    } catch (error) {
      if (error instanceof PromoAlreadyRedeemedError) await this.finishGrant(input.botId, input.telegramUserId, code);
      throw error;
    }
    const reply: RedeemPromoCodeReplyJson = { code, reward: rewardToJson(redeemed.reward), ...(balance !== undefined ? { balance: balance.toString() } : {}) };
    if (redeemed.reward.kind !== 'grant_plan') return reply;
    const grant = await this.grant(input.botId, input.telegramUserId, code, redeemed.redemptionId, redeemed.reward);
    return {
      ...reply,
      ...(grant.subscription.endsAt ? { endsAt: grant.subscription.endsAt } : {}),
      ...(grant.subscription.credits !== undefined ? { credits: String(grant.subscription.credits) } : {}),
    };
  }

  /** The member redeemed this code before: their grant is asked again (a no-op when it was given). */
  private async finishGrant(botId: string, telegramUserId: string, code: string): Promise<void> {
    const state = await this.promos.state(botId, code);
    const redemptionId = state.status === 'created' ? state.redeemers.get(telegramUserId) : undefined;
    if (state.status === 'created' && redemptionId && state.definition.reward.kind === 'grant_plan') {
      await this.grant(botId, telegramUserId, code, redemptionId, state.definition.reward);
    }
  }

  private grant(botId: string, telegramUserId: string, code: string, redemptionId: string, reward: Extract<PromoReward, { kind: 'grant_plan' }>) {
    return this.subscriptions.grant({
      grantId: redemptionId,
      botId,
      telegramUserId,
      planId: reward.planId,
      source: 'SUBSCRIPTION_SOURCE_PROMO',
      grantedBy: `promo:${code}`,
    });
  }
}
