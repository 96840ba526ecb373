import type { ActivityEntryJson, GetActivityHistoryReplyJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { InvalidCursorError } from './activity.errors.js';

interface Row {
  activity_id: string;
  activity_type: string;
  score: string | null;
  metrics: Record<string, number>;
  payload: Record<string, unknown> | null;
  /** As the driver gives it (a Date or a timestamp string). */
  occurred_at: Date | string;
}

/** A page boundary: the last entry's time and id, as base64url JSON. */
const isoOf = (at: Date | string): string => new Date(at).toISOString();

const encodeCursor = (row: Row): string => Buffer.from(JSON.stringify([isoOf(row.occurred_at), row.activity_id])).toString('base64url');

function decodeCursor(cursor: string): [Date, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const when = new Date(at as string);
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(when.getTime())) throw new InvalidCursorError();
    return [when, id];
  } catch {
    throw new InvalidCursorError();
  }
}

const entryJson = (row: Row): ActivityEntryJson => ({
  id: row.activity_id,
  type: row.activity_type,
  ...(row.score === null ? {} : { score: row.score }),
  metrics: row.metrics,
  ...(row.payload === null ? {} : { payloadJson: JSON.stringify(row.payload) }),
  occurredAt: isoOf(row.occurred_at),
});

/** A member's activity history in a bot, newest first, a page at a time (keyset paging on the history index). */
@Injectable()
export class ActivityHistoryQuery {
  constructor(private readonly orm: MikroORM) {}

  async page(botId: string, telegramUserId: string, limit: number, cursor?: string): Promise<GetActivityHistoryReplyJson> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const rows = await this.orm.em.getConnection().execute<Row[]>(
      `SELECT activity_id, activity_type, score::text AS score, metrics, payload, occurred_at
         FROM gamification.activities
        WHERE bot_id = ? AND telegram_user_id = ? ${after ? 'AND (occurred_at, activity_id) < (?, ?)' : ''}
        ORDER BY occurred_at DESC, activity_id DESC
        LIMIT ?`,
      [botId, telegramUserId, ...(after ?? []), limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      entries: page.map(entryJson),
      ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1]) } : {}),
    };
  }
}
