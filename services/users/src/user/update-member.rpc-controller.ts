import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type MemberAdminActionReplyJson, type RecordBotBlockedReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { RecordBotBlockedDto, SetMemberLanguageDto } from './members.dto.js';
import { RecordBotBlockedUseCase } from './record-bot-blocked.use-case.js';
import { SetMemberLanguageUseCase } from './set-member-language.use-case.js';

/** What a member changes about themself: their language in the bot, and blocking or unblocking it. */
@RpcController()
export class UpdateMemberRpcController {
  constructor(
    private readonly setMemberLanguage: SetMemberLanguageUseCase,
    private readonly recordBotBlocked: RecordBotBlockedUseCase,
  ) {}

  @RpcHandler(RPC.users.setMemberLanguage)
  setLanguage(@Payload() request: SetMemberLanguageDto): Promise<MemberAdminActionReplyJson> {
    return this.setMemberLanguage.execute(request);
  }

  @RpcHandler(RPC.users.recordBotBlocked)
  botBlocked(@Payload() request: RecordBotBlockedDto): Promise<RecordBotBlockedReplyJson> {
    return this.recordBotBlocked.execute(request);
  }
}
