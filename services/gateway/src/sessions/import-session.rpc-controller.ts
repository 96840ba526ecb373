import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ImportSessionReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ImportSessionDto } from './import-session.dto.js';
import { ImportSessionUseCase } from './import-session.use-case.js';

/** `rpc.gateway.import-session`: the validated request in, the use case called. */
@RpcController()
export class ImportSessionRpcController {
  constructor(private readonly useCase: ImportSessionUseCase) {}

  @RpcHandler(RPC.gateway.importSession)
  importSession(@Payload() request: ImportSessionDto): Promise<ImportSessionReplyJson> {
    return this.useCase.execute(request);
  }
}
