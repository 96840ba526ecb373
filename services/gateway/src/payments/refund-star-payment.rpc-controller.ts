import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type RefundStarPaymentReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { RefundStarPaymentDto } from './refund-star-payment.dto.js';
import { RefundStarPaymentUseCase } from './refund-star-payment.use-case.js';

/** `rpc.gateway.refund-star-payment`: the validated request in, the use case called. */
@RpcController()
export class RefundStarPaymentRpcController {
  constructor(private readonly useCase: RefundStarPaymentUseCase) {}

  @RpcHandler(RPC.gateway.refundStarPayment)
  async refundStarPayment(@Payload() request: RefundStarPaymentDto): Promise<RefundStarPaymentReplyJson> {
    await this.useCase.execute(request);
    return {};
  }
}
