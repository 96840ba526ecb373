import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type RenewFromWalletReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { paymentView } from '../payment/refund-payment.use-case.js';
import { RenewFromWalletDto } from './wallet.dto.js';
import { RenewFromWalletUseCase } from './renew-from-wallet.use-case.js';

/** `RPC.payments.renewFromWallet`: the validated DTO in, the use case called. */
@RpcController()
export class RenewFromWalletRpcController {
  constructor(private readonly renewFromWallet: RenewFromWalletUseCase) {}

  @RpcHandler(RPC.payments.renewFromWallet)
  async renew(@Payload() request: RenewFromWalletDto): Promise<RenewFromWalletReplyJson> {
    const renewed = await this.renewFromWallet.execute(request);
    return { payment: paymentView(renewed.payment), chargedNow: renewed.chargedNow };
  }
}
