import type { CountMembersReplyJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { BotDirectory } from '../bot/bot-directory.js';
import { BotNotFoundError } from '../bot/bot.errors.js';
import { Clock } from '../shared/clock.js';
import { startOfLocalDay } from '../shared/local-day.js';
import { MemberDirectory } from './member-directory.js';
import type { CountMembersDto } from './members.dto.js';

/** A bot's member counts; "active today" starts at the bot's local midnight. */
@Injectable()
export class CountMembersUseCase {
  constructor(
    private readonly bots: BotDirectory,
    private readonly members: MemberDirectory,
    private readonly clock: Clock,
  ) {}

  async execute(command: CountMembersDto): Promise<CountMembersReplyJson> {
    const bot = await this.bots.find(command.botId);
    if (!bot) throw new BotNotFoundError(command.botId);
    return this.members.counts(bot.botId, startOfLocalDay(this.clock.now(), bot.timezone));
  }
}
