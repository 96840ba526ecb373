import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type ImportActivityStatsReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { ImportActivityStatsDto } from './import-activity-stats.dto.js';
import { ImportActivityStatsUseCase } from './import-activity-stats.use-case.js';

/** `RPC.gamification.importActivityStats`: a legacy bot's statistics of a member, once per source id. */
@RpcController()
export class ImportActivityStatsRpcController {
  constructor(private readonly useCase: ImportActivityStatsUseCase) {}

  @RpcHandler(RPC.gamification.importActivityStats)
  importActivityStats(@Payload() request: ImportActivityStatsDto): Promise<ImportActivityStatsReplyJson> {
    return this.useCase.execute(request);
  }
}
