import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { DependencyUnavailableError } from '../payment/payment.errors.js';

/** Telegram's refusal of a refund, as the gateway names it. */
export type StarRefundRefusal = 'GATEWAY.CHARGE_NOT_FOUND' | 'GATEWAY.CHARGE_ALREADY_REFUNDED' | 'GATEWAY.BOT_NOT_HOSTED';
const REFUSALS: readonly string[] = ['GATEWAY.CHARGE_NOT_FOUND', 'GATEWAY.CHARGE_ALREADY_REFUNDED', 'GATEWAY.BOT_NOT_HOSTED'];

/** What payments asks of the gateway, the only service that speaks to Telegram: Stars refunds. */
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
}
