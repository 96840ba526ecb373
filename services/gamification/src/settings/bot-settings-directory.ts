import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { BadgeDefinition } from './bot-settings.decider.js';
import { BotSettings } from './bot-settings.entity.js';
import { DEFAULT_LEVELS, type LevelThreshold } from './levels.js';

/** A bot that set no time zone counts its days in UTC. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface EffectiveBotSettings {
  readonly levels: readonly LevelThreshold[];
  readonly timeZone: string;
  readonly badges: readonly BadgeDefinition[];
}

/** A bot's settings as the read model has them, with the defaults filled in. */
@Injectable()
export class BotSettingsDirectory {
  constructor(private readonly orm: MikroORM) {}

  async of(botId: string): Promise<EffectiveBotSettings> {
    const row = await this.orm.em.fork().findOne(BotSettings, { botId });
    return {
      levels: row?.levels ?? DEFAULT_LEVELS,
      timeZone: row?.timeZone ?? DEFAULT_TIME_ZONE,
      badges: Object.values(row?.badges ?? {}).sort((a, b) => a.key.localeCompare(b.key)),
    };
  }
}
