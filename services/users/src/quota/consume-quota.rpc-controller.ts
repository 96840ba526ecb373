import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ConsumeQuotaReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ConsumeQuotaDto } from './consume-quota.dto.js';
import { ConsumeQuotaUseCase } from './consume-quota.use-case.js';

/** `rpc.users.consume-quota`: a validated request becomes one use of the member's daily quota. */
@RpcController()
export class ConsumeQuotaRpcController {
  constructor(private readonly useCase: ConsumeQuotaUseCase) {}

  @RpcHandler(RPC.users.consumeQuota)
  consumeQuota(@Payload() request: ConsumeQuotaDto): Promise<ConsumeQuotaReplyJson> {
    return this.useCase.execute(request);
  }
}
