import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, type CommandResult } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LeaderboardIndex } from '../leaderboard/leaderboard-index.js';
import type { LevelThreshold } from '../settings/levels.js';
import { GroupLevels, type GroupLevelAfterAward } from './group-levels.js';
import { memberDecider, memberStreamId, type MemberCommand, type MemberEvent, type MemberState } from './member.decider.js';
import { membershipsProjection } from './memberships.projection.js';

/**
 * Runs a command on a member's stream, locked ([ADR 0004](../../../../docs/adr/0004-stream-locks-for-counters.md)):
 * 20 awards with one source id, or two awards crossing a level together, queue on the lock and each
 * decides on the state the one before it left. The read models are written in the same transaction.
 */
@Injectable()
export class MemberCommands {
  private readonly handler: CommandHandler<MemberState, MemberCommand, MemberEvent>;
  private readonly groupLevels: GroupLevels;

  constructor(
    store: PostgresEventStore,
    private readonly leaderboard: LeaderboardIndex,
    private readonly orm: MikroORM,
  ) {
    this.handler = new CommandHandler(store, memberDecider, { lockStream: true, projections: [membershipsProjection] });
    this.groupLevels = new GroupLevels(store);
  }

  async handle(command: MemberCommand, occurredAt: Date): Promise<CommandResult<MemberState, MemberEvent>> {
    const result = await this.handler.handle(memberStreamId({ kind: 'bot', botId: command.botId }, command.telegramUserId), command, {
      botId: command.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      // The contract does not say who asks: a field for it joins the requests when it matters.
      actor: { kind: 'service', id: 'rpc-caller' },
      occurredAt,
    });
    // Committed now: this replica's board shows them at once; others read them from the store.
    this.leaderboard.applyCommitted(result.newEvents);
    return result;
  }

  /** After an award in a grouped bot: the member's group level against the XP summed now (null outside a group). */
  checkGroupLevel(member: { botId: string; telegramUserId: number }, levels: readonly LevelThreshold[], now: Date): Promise<GroupLevelAfterAward | null> {
    const connection = this.orm.em.fork().getConnection();
    return this.groupLevels.afterAward(
      (sql, params) => connection.execute(sql, params),
      member,
      levels,
      now,
      {
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'service', id: 'rpc-caller' },
      },
      (events) => this.leaderboard.applyCommitted(events),
    );
  }
}
