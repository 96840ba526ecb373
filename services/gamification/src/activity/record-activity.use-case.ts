import { correlationIdOrNew } from '@botplatform/bus';
import type { RecordActivityReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ScoreBoardsIndex } from '../leaderboard/score-boards-index.js';
import { MemberUseCase, type MemberRef } from '../member/member.use-case.js';
import { activityXp } from '../rules/xp-rules.decider.js';
import { XpRulesUseCase } from '../rules/xp-rules.use-case.js';
import { BotSettingsDirectory } from '../settings/bot-settings-directory.js';
import { Clock } from '../shared/clock.js';
import { periodStartOf } from '../shared/local-day.js';
import { activitiesProjection } from './activities.projection.js';
import { activityDecider, activityStreamId, type ActivityEvent, type ActivityState, type CompleteActivity, type Metrics } from './activity.decider.js';
import type { ActivityInputDto } from './activity.dto.js';
import { InvalidActivityMetricsError, InvalidActivityPayloadError } from './activity.errors.js';

const MAX_METRICS = 32;
const METRIC_KEY = /^[a-z0-9][a-z0-9_-]{0,47}$/;
/** The payload's JSON text, in UTF-8 bytes. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

function metricsOf(input: ActivityInputDto['metrics']): Metrics {
  const entries = Object.entries(input ?? {});
  if (entries.length > MAX_METRICS) throw new InvalidActivityMetricsError(`hold ${entries.length} figures, at most ${MAX_METRICS}`);
  for (const [key, value] of entries) {
    if (!METRIC_KEY.test(key)) throw new InvalidActivityMetricsError(`name ${JSON.stringify(key)}: 1-48 lower-case letters, digits, _ or -`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidActivityMetricsError(`hold ${key} = ${String(value)}, not a finite number`);
  }
  return Object.fromEntries(entries) as Metrics;
}

function payloadOf(json: string | undefined): Record<string, unknown> | null {
  if (json === undefined) return null;
  if (Buffer.byteLength(json, 'utf8') > MAX_PAYLOAD_BYTES) throw new InvalidActivityPayloadError(`is over ${MAX_PAYLOAD_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new InvalidActivityPayloadError('is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidActivityPayloadError('is not a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * `rpc.gamification.record-activity`: the member's active day (the streak, member/), and with an activity
 * its record in the history, once per activity id, and the XP the bot's rules give (rules/): once per
 * activity id and once per streak day, through the award path and its source ids. Everything that can refuse is checked before anything
 * is written; both writes are idempotent, so a caller that retries after a failure between them completes
 * the pair and changes nothing else.
 */
@Injectable()
export class RecordActivityUseCase {
  private readonly handler: CommandHandler<ActivityState, CompleteActivity, ActivityEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly members: MemberUseCase,
    private readonly clock: Clock,
    private readonly rules: XpRulesUseCase,
    private readonly settings: BotSettingsDirectory,
    private readonly scoreBoards: ScoreBoardsIndex,
  ) {
    // Locked: concurrent records of one activity id queue, and the second finds the first (ADR 0004).
    this.handler = new CommandHandler(store, activityDecider, { lockStream: true, projections: [activitiesProjection] });
  }

  async execute(member: MemberRef, options: { occurredAt?: Date; timeZone?: string; activity?: ActivityInputDto }): Promise<RecordActivityReplyJson> {
    const { activity } = options;
    const checked = activity ? { metrics: metricsOf(activity.metrics), payload: payloadOf(activity.payloadJson) } : null;
    // Refuses a bad time zone or a future time before writing anything.
    const streak = await this.members.recordActivity(member, options);
    const rules = await this.rules.of(member.botId);
    // The day's XP once per day (its source id), also when this call is a retry whose streak was written before.
    if (rules.streakDayXp > 0 && streak.streak?.lastDay === streak.day) {
      await this.members.award(member, { amount: rules.streakDayXp, reason: 'streak-day', sourceId: `streak-day:${streak.day}` });
    }
    if (!activity || !checked) return streak;
    const now = this.clock.now();
    const occurredAt = options.occurredAt ?? now;
    // The score boards' periods are the bot's calendar (not a member's zone), at the time the activity happened.
    const { timeZone } = await this.settings.of(member.botId);
    const command: CompleteActivity = {
      type: 'CompleteActivity',
      ...member,
      activityId: activity.id,
      activityType: activity.type,
      score: activity.score === undefined ? null : Number(activity.score),
      ...checked,
      occurredAt: occurredAt.toISOString(),
      periods: { week: periodStartOf('week', occurredAt, timeZone), month: periodStartOf('month', occurredAt, timeZone) },
      now: now.toISOString(),
    };
    const { state, newEvents } = await this.handler.handle(activityStreamId(member.botId, member.telegramUserId, activity.id), command, {
      botId: member.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: { kind: 'service', id: 'rpc-caller' },
      occurredAt: now,
    });
    // This replica's score boards see the member's new best and total at once (the others at their next poll).
    if (newEvents.length > 0 && command.score !== null) {
      await this.scoreBoards.applyMember(member.botId, activity.type, String(member.telegramUserId), command.periods);
    }
    // The first record's score (a retry's figures never count), once per activity id (its source id).
    const xp = activityXp(rules, state.completed?.score ?? null);
    if (xp > 0) await this.members.award(member, { amount: xp, reason: activity.type, sourceId: `activity:${activity.id}` });
    return { ...streak, activityRecorded: newEvents.length > 0 };
  }
}
