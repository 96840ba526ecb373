import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CountMembersReplyJson, type FindMembersReplyJson, type GetMemberReplyJson, type ListMembersReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { CountMembersUseCase } from './count-members.use-case.js';
import { ListMembersUseCase } from './list-members.use-case.js';
import { MemberDirectory } from './member-directory.js';
import { CountMembersDto, FindMembersDto, GetMemberDto, ListMembersDto } from './members.dto.js';

/**
 * Members as the gateway's admin menu asks about them; each answer is about one bot only. A lookup is
 * a read of the member directory (the read model); the counts need the bot's local day, the list
 * maps the contract's roles and statuses.
 */
@RpcController()
export class QueryMembersRpcController {
  constructor(
    private readonly members: MemberDirectory,
    private readonly countMembersOfBot: CountMembersUseCase,
    private readonly listMembersOfBot: ListMembersUseCase,
  ) {}

  @RpcHandler(RPC.users.getMember)
  async getMember(@Payload() request: GetMemberDto): Promise<GetMemberReplyJson> {
    const member = await this.members.view(request.botId, parseTelegramUserId(request.telegramUserId));
    return member ? { member } : {};
  }

  @RpcHandler(RPC.users.findMembers)
  async findMembers(@Payload() request: FindMembersDto): Promise<FindMembersReplyJson> {
    return { members: await this.members.find(request.botId, request.query, request.limit ?? 10) };
  }

  @RpcHandler(RPC.users.listMembers)
  listMembers(@Payload() request: ListMembersDto): Promise<ListMembersReplyJson> {
    return this.listMembersOfBot.execute(request);
  }

  @RpcHandler(RPC.users.countMembers)
  countMembers(@Payload() request: CountMembersDto): Promise<CountMembersReplyJson> {
    return this.countMembersOfBot.execute(request);
  }
}
