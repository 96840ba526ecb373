import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The bots grouped with a bot (the `bot_groups` projection of users' events). */
@Injectable()
export class BotGroupDirectory {
  constructor(private readonly orm: MikroORM) {}

  /** The other bots of `botId`'s group; empty when it is in none. */
  async otherBotsOf(botId: string): Promise<string[]> {
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ bot_id: string }[]>(
        `SELECT other.bot_id FROM subscriptions.bot_groups mine
           JOIN subscriptions.bot_groups other ON other.group_id = mine.group_id AND other.bot_id <> mine.bot_id
          WHERE mine.bot_id = ? AND mine.group_id IS NOT NULL
          ORDER BY other.bot_id`,
        [botId],
      );
    return rows.map((row) => row.bot_id);
  }
}
