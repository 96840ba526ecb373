import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type GetPaymentMethodsReplyJson, type StartCardTransferReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { CreateProviderPaymentUseCase } from '../providers/create-provider-payment.use-case.js';
import { SubscriptionsClient } from '../shared/subscriptions.client.js';
import { cardDetailsText } from './card-transfer-screens.js';
import { GetPaymentMethodsDto, StartCardTransferDto } from './card-transfers.dto.js';
import { formatTrackingNumber } from './payment-cards.decider.js';
import { StartCardTransferUseCase } from './start-card-transfer.use-case.js';

/** /plans' hand-over to card transfer: which methods a plan has (card transfer, the bot's other providers), and starting one. */
@RpcController()
export class CardTransfersRpcController {
  constructor(
    private readonly start: StartCardTransferUseCase,
    private readonly subscriptions: SubscriptionsClient,
    private readonly providerPayments: CreateProviderPaymentUseCase,
  ) {}

  @RpcHandler(RPC.payments.getPaymentMethods)
  async methods(@Payload() request: GetPaymentMethodsDto): Promise<GetPaymentMethodsReplyJson> {
    const [cardTransfer, providers] = await Promise.all([
      this.start.offered(request.botId, request.planId),
      this.providerPayments.offered(request.botId, request.planId),
    ]);
    return { cardTransfer, providers };
  }

  @RpcHandler(RPC.payments.startCardTransfer)
  async startTransfer(@Payload() request: StartCardTransferDto): Promise<StartCardTransferReplyJson> {
    const language = request.language ?? 'en';
    const transfer = await this.start.execute({ botId: request.botId, telegramUserId: request.telegramUserId, planId: request.planId, language });
    const plan = await this.subscriptions.plan(request.botId, request.planId).catch(() => null);
    return {
      paymentId: transfer.paymentId,
      trackingNumber: formatTrackingNumber(transfer.trackingNumber),
      text: cardDetailsText(language, transfer, plan?.view),
    };
  }
}
