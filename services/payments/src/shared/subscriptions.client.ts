import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type PlanViewJson, type SubscriptionViewJson } from '@botplatform/contracts';
import { DependencyUnavailableError } from '../payment/payment.errors.js';

/** A plan as payments needs it to sell it. */
export interface PlanOnSale {
  readonly planId: string;
  /** Not archived and active: offered for sale now. */
  readonly forSale: boolean;
  /** The Stars price, absent when the plan has none. */
  readonly starsAmount: string | undefined;
  readonly view: PlanViewJson;
}

/**
 * What payments asks of the subscriptions service: a bot's plan and its price (`list-plans`, archived
 * included, so an archived plan is told apart from an unknown one), a grant of a paid plan with the
 * payment's charge as its idempotency key, and the revocation after a refund.
 */
export class SubscriptionsClient {
  constructor(private readonly rpc: RpcClient) {}

  /** The bot's plan, or null when the bot has no such plan. */
  async plan(botId: string, planId: string, options: { readonly timeoutMs?: number } = {}): Promise<PlanOnSale | null> {
    const reply = await this.calling(() => this.rpc.call(RPC.subscriptions.listPlans, { botId, includeArchived: true, includeGroupShared: true }, options));
    const view = reply.plans?.find((plan) => plan.planId === planId);
    if (!view) return null;
    const definition = view.definition ?? {};
    return {
      planId,
      forSale: definition.active === true && view.archived !== true,
      starsAmount: definition.prices?.find((price) => price.currency === 'XTR')?.amount?.toString(),
      view,
    };
  }

  /** Grants the plan once per `grantId`: a second call with the same key changes nothing. A payment's grant unless `source` says a promo code's. */
  async grant(input: {
    grantId: string;
    botId: string;
    telegramUserId: string;
    planId: string;
    source?: 'SUBSCRIPTION_SOURCE_PROMO';
    grantedBy?: string;
    starsSubscription?: boolean;
  }): Promise<{ subscription: SubscriptionViewJson; changed: boolean }> {
    const { source = 'SUBSCRIPTION_SOURCE_PAYMENT', grantedBy = 'payments', ...grant } = input;
    const reply = await this.calling(() => this.rpc.call(RPC.subscriptions.grantSubscription, { ...grant, source, grantedBy }));
    return { subscription: reply.subscription ?? {}, changed: reply.changed === true };
  }

  /** Takes the member's access away; a member with nothing left to revoke is not an error here. */
  async revoke(input: { botId: string; telegramUserId: string; reason: string; revokedBy: string }): Promise<void> {
    try {
      await this.rpc.call(RPC.subscriptions.revokeSubscription, input);
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'SUBSCRIPTIONS.NOT_SUBSCRIBED') return;
      throw unavailable(error);
    }
  }

  /** Turns the member's renewal off; true when it was on. A member without a subscription has nothing to switch. */
  async cancelRenewal(member: { botId: string; telegramUserId: string }): Promise<boolean> {
    return this.switchRenewal(() => this.rpc.call(RPC.subscriptions.cancelRenewal, member));
  }

  /** Turns the member's renewal back on; true when it was off. */
  async resumeRenewal(member: { botId: string; telegramUserId: string }): Promise<boolean> {
    return this.switchRenewal(() => this.rpc.call(RPC.subscriptions.resumeRenewal, member));
  }

  private async switchRenewal(call: () => Promise<{ changed?: boolean }>): Promise<boolean> {
    try {
      return (await call()).changed === true;
    } catch (error) {
      if (error instanceof RpcCallError && error.code === 'SUBSCRIPTIONS.NOT_SUBSCRIBED') return false;
      throw unavailable(error);
    }
  }

  private async calling<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): Error {
  // A typed refusal of subscriptions is passed on as it is; a timeout or a missing responder is ours to name.
  if (error instanceof RpcCallError && !error.code.startsWith('RPC.')) return error;
  return new DependencyUnavailableError(`subscriptions did not answer: ${error instanceof Error ? error.message : String(error)}`);
}
