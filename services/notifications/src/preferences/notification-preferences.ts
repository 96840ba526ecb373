import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CATEGORIES, TRANSACTIONAL_CATEGORIES, type Category } from '../rules/rule-catalogue.js';

/** A member asked to mute a category that is never muted (receipts). */
export class CategoryNotMutableError extends Error {
  readonly code = 'NOTIFICATIONS.CATEGORY_NOT_MUTABLE';
  constructor(category: string) {
    super(`${category} messages are transactional and cannot be muted`);
    this.name = 'CategoryNotMutableError';
  }
}

/**
 * A member's muted categories, per bot. A row per muted category; the rules read them in their own
 * transaction, so a mute applies to every event decided after it commits.
 */
@Injectable()
export class NotificationPreferences {
  constructor(private readonly orm: MikroORM) {}

  /** The categories a member can mute (every one but the transactional ones), in menu order. */
  static readonly mutable: readonly Category[] = CATEGORIES.filter((category) => !TRANSACTIONAL_CATEGORIES.has(category));

  async muted(botId: string, telegramUserId: number): Promise<Set<Category>> {
    const rows = await runSql<{ category: Category }>(
      this.orm.em.fork(),
      'SELECT category FROM notifications.notification_mutes WHERE bot_id = $1 AND telegram_user_id = $2',
      [botId, telegramUserId],
    );
    return new Set(rows.map((row) => row.category));
  }

  async setMuted(botId: string, telegramUserId: number, category: Category, muted: boolean, now = new Date()): Promise<void> {
    if (TRANSACTIONAL_CATEGORIES.has(category)) throw new CategoryNotMutableError(category);
    const em = this.orm.em.fork();
    if (muted) {
      await runSql(
        em,
        `INSERT INTO notifications.notification_mutes (bot_id, telegram_user_id, category, muted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [botId, telegramUserId, category, now],
      );
    } else {
      await runSql(em, 'DELETE FROM notifications.notification_mutes WHERE bot_id = $1 AND telegram_user_id = $2 AND category = $3', [
        botId,
        telegramUserId,
        category,
      ]);
    }
  }
}
