import { correlationIdOrNew } from '@botplatform/bus';
import type { ImportActivityStatsReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { ActivityStatsQuery, activityStatsJson } from './activity-stats.query.js';
import type { ImportActivityStatsDto } from './import-activity-stats.dto.js';
import {
  importedStatsDecider,
  importedStatsStreamId,
  type ActivityStatsImported,
  type ImportActivityStats,
  type ImportedStatsState,
} from './imported-stats.decider.js';
import { InvalidImportedStatsError } from './imported-stats.errors.js';
import { importedStatsProjection } from './imported-stats.projection.js';

const MAX_TOTAL = 1_000_000_000;

/**
 * `rpc.gamification.import-activity-stats` (npm run import:legacy): a legacy bot's statistics of a member added
 * to their statistics in the bot, once per source id. The event stays internal: it is no activity, so it
 * gives no XP and no streak day and publishes no gamification.activity.completed.
 */
@Injectable()
export class ImportActivityStatsUseCase {
  private readonly handler: CommandHandler<ImportedStatsState, ImportActivityStats, ActivityStatsImported>;

  constructor(
    store: PostgresEventStore,
    private readonly clock: Clock,
    private readonly stats: ActivityStatsQuery,
  ) {
    // Locked: concurrent imports of one source id queue, and the second finds the first (ADR 0004).
    this.handler = new CommandHandler(store, importedStatsDecider, { lockStream: true, projections: [importedStatsProjection] });
  }

  async execute(request: ImportActivityStatsDto): Promise<ImportActivityStatsReplyJson> {
    const now = this.clock.now();
    const totalActivities = Number(request.totalActivities);
    if (totalActivities > MAX_TOTAL) throw new InvalidImportedStatsError(`count ${totalActivities} activities, at most ${MAX_TOTAL}`);
    const lastActivityAt = new Date(request.lastActivityAt);
    if (lastActivityAt.getTime() > now.getTime()) throw new InvalidImportedStatsError(`end in the future (${request.lastActivityAt})`);
    const member = { botId: request.botId, telegramUserId: Number(request.telegramUserId) };
    const command: ImportActivityStats = {
      type: 'ImportActivityStats',
      ...member,
      sourceId: request.sourceId,
      totalActivities,
      bestScore: request.bestScore === undefined ? null : Number(request.bestScore),
      lastActivityAt: lastActivityAt.toISOString(),
      now: now.toISOString(),
    };
    const { newEvents } = await this.handler.handle(importedStatsStreamId(member.botId, member.telegramUserId, request.sourceId), command, {
      botId: member.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: { kind: 'service', id: 'rpc-caller' },
      occurredAt: now,
    });
    return { imported: newEvents.length > 0, stats: activityStatsJson(await this.stats.of(member.botId, request.telegramUserId)) };
  }
}
