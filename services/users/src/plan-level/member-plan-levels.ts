import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The plan levels the subscriptions service's events gave members (`on-subscription-changed.consumer.ts`). */
@Injectable()
export class MemberPlanLevels {
  constructor(private readonly orm: MikroORM) {}

  /**
   * The level of the member's period running at `now`, or undefined. A period past its end counts as
   * ended even before its expiry event arrives, so the quota falls back at the exact end. Without one of
   * its own in the bot, a group-shared plan's level from another bot of the bot's group (ADR 0018) counts.
   */
  async current(botId: string, telegramUserId: number, now: Date): Promise<string | undefined> {
    const [row] = await runSql<{ plan_level: string }>(
      this.orm.em.fork(),
      `SELECT plan_level FROM users.member_plan_levels
       WHERE bot_id = $1 AND telegram_user_id = $2 AND plan_level IS NOT NULL AND ends_at > $3
       UNION ALL
       SELECT l.plan_level FROM users.bot_group_members mine
         JOIN users.bot_group_members other ON other.group_id = mine.group_id AND other.bot_id <> mine.bot_id
         JOIN users.member_plan_levels l ON l.bot_id = other.bot_id
        WHERE mine.bot_id = $1 AND l.telegram_user_id = $2 AND l.group_shared AND l.plan_level IS NOT NULL AND l.ends_at > $3
       LIMIT 1`,
      [botId, telegramUserId, now.toISOString()],
    );
    return row?.plan_level;
  }
}
