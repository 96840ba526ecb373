import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ListPaymentCardsReplyJson, type PaymentCardReplyJson, type SetCardRotationReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ManagePaymentCardsUseCase } from './manage-payment-cards.use-case.js';
import { AddPaymentCardDto, ListPaymentCardsDto, SetCardRotationDto, UpdatePaymentCardDto } from './payment-cards.dto.js';

/** A bot's payment cards over request/reply: the validated DTO in, the use case called, nothing else. */
@RpcController()
export class PaymentCardsRpcController {
  constructor(private readonly cards: ManagePaymentCardsUseCase) {}

  @RpcHandler(RPC.payments.addPaymentCard)
  async add(@Payload() request: AddPaymentCardDto): Promise<PaymentCardReplyJson> {
    return { card: await this.cards.add(request) };
  }

  @RpcHandler(RPC.payments.updatePaymentCard)
  async update(@Payload() request: UpdatePaymentCardDto): Promise<PaymentCardReplyJson> {
    return { card: await this.cards.update(request) };
  }

  @RpcHandler(RPC.payments.listPaymentCards)
  list(@Payload() request: ListPaymentCardsDto): Promise<ListPaymentCardsReplyJson> {
    return this.cards.list(request.botId);
  }

  @RpcHandler(RPC.payments.setCardRotation)
  setRotation(@Payload() request: SetCardRotationDto): Promise<SetCardRotationReplyJson> {
    return this.cards.setRotation(request.botId, request.rotation === 'CARD_ROTATION_WEIGHTED' ? 'weighted' : 'round_robin');
  }
}
