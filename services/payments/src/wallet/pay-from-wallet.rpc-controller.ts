import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type PayFromWalletReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { paymentView } from '../payment/refund-payment.use-case.js';
import { PayFromWalletDto } from './wallet.dto.js';
import { PayFromWalletUseCase } from './pay-from-wallet.use-case.js';

/** `RPC.payments.payFromWallet`: the validated DTO in, the use case called. */
@RpcController()
export class PayFromWalletRpcController {
  constructor(private readonly payFromWallet: PayFromWalletUseCase) {}

  @RpcHandler(RPC.payments.payFromWallet)
  async pay(@Payload() request: PayFromWalletDto): Promise<PayFromWalletReplyJson> {
    const paid = await this.payFromWallet.execute(request);
    return {
      payment: paymentView(paid.payment),
      ...(paid.subscription.endsAt ? { endsAt: paid.subscription.endsAt } : {}),
      ...(paid.subscription.credits !== undefined ? { credits: String(paid.subscription.credits) } : {}),
    };
  }
}
