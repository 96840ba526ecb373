import type { RpcClient } from '@botplatform/bus';
import { RPC, type PlanViewJson } from '@botplatform/contracts';
import { DependencyUnavailableError } from '../payment/payment.errors.js';

/** The bot's plans that are not archived, as an admin picks one for a promo code (`list-plans` of subscriptions). */
export class AdminPlansClient {
  constructor(private readonly rpc: RpcClient) {}

  async plans(botId: string): Promise<readonly PlanViewJson[]> {
    try {
      return (await this.rpc.call(RPC.subscriptions.listPlans, { botId })).plans ?? [];
    } catch (error) {
      throw new DependencyUnavailableError(`subscriptions did not list the plans: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
