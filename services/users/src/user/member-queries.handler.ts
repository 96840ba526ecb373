import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CountMembersReplyJson, type FindMembersReplyJson, type GetMemberReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { BotDirectory } from '../bot/bot-directory.js';
import { BotNotFoundError } from '../bot/bot.errors.js';
import { startOfLocalDay } from '../quota/local-day.js';
import { Clock } from './clock.js';
import { MemberDirectory } from './member-directory.js';
import { CountMembersDto, FindMembersDto, GetMemberDto } from './members.dto.js';
import { parseTelegramUserId } from './telegram-user-id.js';

/** Members as the gateway's admin menu asks about them; each answer is about one bot only. */
@RpcController()
export class MemberQueriesHandler {
  constructor(
    private readonly bots: BotDirectory,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
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

  /** "Active today" starts at the bot's local midnight. */
  @RpcHandler(RPC.users.countMembers)
  async countMembers(@Payload() request: CountMembersDto): Promise<CountMembersReplyJson> {
    const bot = await this.bots.find(request.botId);
    if (!bot) throw new BotNotFoundError(request.botId);
    return this.members.counts(bot.botId, startOfLocalDay(this.clock.now(), bot.timezone));
  }
}
