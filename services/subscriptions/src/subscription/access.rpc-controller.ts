import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type AccessReplyJson, type ConsumeReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { AccessUseCase } from './access.use-case.js';
import { AccessDto, ConsumeDto } from './subscriptions.dto.js';

/** `RPC.subscriptions.access` and `RPC.subscriptions.consume`. */
@RpcController()
export class AccessRpcController {
  constructor(private readonly accessUseCase: AccessUseCase) {}

  @RpcHandler(RPC.subscriptions.access)
  access(@Payload() request: AccessDto): Promise<AccessReplyJson> {
    return this.accessUseCase.access(request);
  }

  @RpcHandler(RPC.subscriptions.consume)
  consume(@Payload() request: ConsumeDto): Promise<ConsumeReplyJson> {
    return this.accessUseCase.consume(request);
  }
}
