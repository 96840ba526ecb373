import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { DependencyUnavailableError } from '../payment/payment.errors.js';

/** Telegram's refusal of a refund, as the gateway names it. */
export type StarRefundRefusal = 'GATEWAY.CHARGE_NOT_FOUND' | 'GATEWAY.CHARGE_ALREADY_REFUNDED' | 'GATEWAY.BOT_NOT_HOSTED';
const REFUSALS: readonly string[] = ['GATEWAY.CHARGE_NOT_FOUND', 'GATEWAY.CHARGE_ALREADY_REFUNDED', 'GATEWAY.BOT_NOT_HOSTED'];

/** What payments asks of the gateway, the only service that speaks to Telegram: Stars refunds and subscription edits. */
export class GatewayClient {
  constructor(private readonly rpc: RpcClient) {}

  /** Refunds one Stars charge through the paid bot; Telegram's refusal comes back as its code, anything else throws. */
  async refundStarPayment(input: { botId: string; telegramUserId: string; chargeId: string }): Promise<{ refused?: StarRefundRefusal }> {
    try {
      await this.rpc.call(RPC.gateway.refundStarPayment, {
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        telegramPaymentChargeId: input.chargeId,
      });
      return {};
    } catch (error) {
      if (error instanceof RpcCallError && REFUSALS.includes(error.code)) return { refused: error.code as StarRefundRefusal };
      throw new DependencyUnavailableError(`the gateway did not refund: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Cancels (`isCanceled`) or re-enables a Stars subscription in Telegram through the paid bot; Telegram's
   * refusal comes back as its code, anything else throws.
   */
  async editStarSubscription(input: {
    botId: string;
    telegramUserId: string;
    chargeId: string;
    isCanceled: boolean;
  }): Promise<{ refused?: StarSubscriptionEditRefusal }> {
    try {
      await this.rpc.call(RPC.gateway.editStarSubscription, {
        botId: input.botId,
        telegramUserId: input.telegramUserId,
        telegramPaymentChargeId: input.chargeId,
        isCanceled: input.isCanceled,
      });
      return {};
    } catch (error) {
      if (error instanceof RpcCallError && EDIT_REFUSALS.includes(error.code)) return { refused: error.code as StarSubscriptionEditRefusal };
      throw new DependencyUnavailableError(`the gateway did not edit the subscription: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Telegram's refusal of a subscription edit, as the gateway names it. */
export type StarSubscriptionEditRefusal = 'GATEWAY.CHARGE_NOT_FOUND' | 'GATEWAY.SUBSCRIPTION_CANCELED_BY_USER';
const EDIT_REFUSALS: readonly string[] = ['GATEWAY.CHARGE_NOT_FOUND', 'GATEWAY.SUBSCRIPTION_CANCELED_BY_USER'];
