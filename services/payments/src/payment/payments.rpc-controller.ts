import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CreatePaymentReplyJson, type PaymentReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { CreatePaymentDto, RefundPaymentDto } from './payments.dto.js';
import { CreatePaymentUseCase } from './create-payment.use-case.js';
import { RefundPaymentUseCase } from './refund-payment.use-case.js';

/** `RPC.payments.createPayment` and `refundPayment`: the validated DTO in, the use case called, nothing else. */
@RpcController()
export class PaymentsRpcController {
  constructor(
    private readonly createPayment: CreatePaymentUseCase,
    private readonly refundPayment: RefundPaymentUseCase,
  ) {}

  @RpcHandler(RPC.payments.createPayment)
  create(@Payload() request: CreatePaymentDto): Promise<CreatePaymentReplyJson> {
    return this.createPayment.execute({
      botId: request.botId,
      telegramUserId: request.telegramUserId,
      planId: request.planId,
      language: request.language ?? 'en',
    });
  }

  @RpcHandler(RPC.payments.refundPayment)
  async refund(@Payload() request: RefundPaymentDto): Promise<PaymentReplyJson> {
    return { payment: await this.refundPayment.execute(request) };
  }
}
