import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CreatePromoBatchReplyJson, type PromoCodeReplyJson, type RedeemPromoCodeReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ManagePromoCodesUseCase } from './manage-promo-codes.use-case.js';
import { CreatePromoBatchDto, CreatePromoCodeDto, RedeemPromoCodeDto, SetPromoCodeActiveDto } from './promo.dto.js';
import { RedeemPromoCodeUseCase } from './redeem-promo-code.use-case.js';

/** Promo codes over RPC: create one, a batch, switch one; redeem (a member's). */
@RpcController()
export class PromoRpcController {
  constructor(
    private readonly manage: ManagePromoCodesUseCase,
    private readonly redeem: RedeemPromoCodeUseCase,
  ) {}

  @RpcHandler(RPC.payments.createPromoCode)
  async create(@Payload() request: CreatePromoCodeDto): Promise<PromoCodeReplyJson> {
    return { promoCode: await this.manage.create(request) };
  }

  @RpcHandler(RPC.payments.createPromoBatch)
  createBatch(@Payload() request: CreatePromoBatchDto): Promise<CreatePromoBatchReplyJson> {
    return this.manage.createBatch(request);
  }

  @RpcHandler(RPC.payments.setPromoCodeActive)
  async setActive(@Payload() request: SetPromoCodeActiveDto): Promise<PromoCodeReplyJson> {
    return { promoCode: await this.manage.setActive(request) };
  }

  @RpcHandler(RPC.payments.redeemPromoCode)
  redeemCode(@Payload() request: RedeemPromoCodeDto): Promise<RedeemPromoCodeReplyJson> {
    return this.redeem.execute(request);
  }
}
