import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface GroupedBot {
  readonly botId: string;
  readonly name: string;
}

/** A bot's group as the `bot_groups` projection of users' events has it. */
@Injectable()
export class BotGroupDirectory {
  constructor(private readonly orm: MikroORM) {}

  /** The bot's group and every bot in it (the bot included), or null when it is in none. */
  async groupOf(botId: string): Promise<{ groupId: string; bots: GroupedBot[] } | null> {
    const rows = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ group_id: string; bot_id: string; bot_name: string }[]>(
        `SELECT other.group_id, other.bot_id, other.bot_name FROM gamification.bot_groups mine
           JOIN gamification.bot_groups other ON other.group_id = mine.group_id
          WHERE mine.bot_id = ? AND mine.group_id IS NOT NULL
          ORDER BY other.bot_id`,
        [botId],
      );
    if (!rows.length) return null;
    return { groupId: rows[0].group_id, bots: rows.map((row) => ({ botId: row.bot_id, name: row.bot_name })) };
  }
}
