import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CreatePaymentReplyJson, type PaymentReplyJson, type SwitchStarRenewalReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { CreatePaymentDto, RefundPaymentDto, SwitchStarRenewalDto } from './payments.dto.js';
import { CreateProviderPaymentUseCase } from '../providers/create-provider-payment.use-case.js';
import { CreatePaymentUseCase } from './create-payment.use-case.js';
import { RefundPaymentUseCase } from './refund-payment.use-case.js';
import { SwitchStarRenewalUseCase } from './switch-star-renewal.use-case.js';

/** `RPC.payments.createPayment`, `refundPayment` and `switchStarRenewal`: the validated DTO in, the use case called, nothing else. */
@RpcController()
export class PaymentsRpcController {
  constructor(
    private readonly createPayment: CreatePaymentUseCase,
    private readonly refundPayment: RefundPaymentUseCase,
    private readonly switchStarRenewal: SwitchStarRenewalUseCase,
    private readonly createProviderPayment: CreateProviderPaymentUseCase,
  ) {}

  @RpcHandler(RPC.payments.createPayment)
  create(@Payload() request: CreatePaymentDto): Promise<CreatePaymentReplyJson> {
    if (request.provider && request.provider !== 'stars') {
      const { botId, telegramUserId, planId, provider } = request;
      return this.createProviderPayment.execute({ botId, telegramUserId, planId, provider, language: request.language ?? 'en' });
    }
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

  @RpcHandler(RPC.payments.switchStarRenewal)
  switchRenewal(@Payload() request: SwitchStarRenewalDto): Promise<SwitchStarRenewalReplyJson> {
    return this.switchStarRenewal.execute(request);
  }
}
