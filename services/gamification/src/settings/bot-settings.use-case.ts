import { correlationIdOrNew } from '@botplatform/bus';
import type { BadgeDefinitionJson, ConfigureLevelsReplyJson, DefineBadgeReplyJson, ListBadgesReplyJson, SetTimeZoneReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { BotSettingsDirectory } from './bot-settings-directory.js';
import {
  botSettingsDecider,
  botSettingsStreamId,
  type BadgeDefinition,
  type BotSettingsCommand,
  type BotSettingsEvent,
  type BotSettingsState,
} from './bot-settings.decider.js';
import { botSettingsProjection } from './bot-settings.projection.js';
import type { LevelThreshold } from './levels.js';

export const levelsJson = (levels: readonly LevelThreshold[]) => levels.map((threshold) => ({ level: threshold.level, minXp: String(threshold.minXp) }));

export const badgeJson = (badge: BadgeDefinition): BadgeDefinitionJson => ({
  key: badge.key,
  names: Object.entries(badge.names).map(([language, name]) => ({ language, name })),
  icon: badge.icon,
});

/**
 * A bot's levels, time zone and badge catalogue: each request is a command on the bot's settings stream
 * (locked, so the read model's read-modify-write does not race), the read model written with it.
 */
@Injectable()
export class BotSettingsUseCase {
  private readonly handler: CommandHandler<BotSettingsState, BotSettingsCommand, BotSettingsEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly clock: Clock,
    private readonly directory: BotSettingsDirectory,
  ) {
    this.handler = new CommandHandler(store, botSettingsDecider, { lockStream: true, projections: [botSettingsProjection] });
  }

  async configureLevels(botId: string, levels: readonly LevelThreshold[]): Promise<ConfigureLevelsReplyJson> {
    const { state, newEvents } = await this.run({ type: 'ConfigureLevels', botId, levels });
    return { levels: levelsJson(state.levels ?? levels), changed: newEvents.length > 0 };
  }

  async setTimeZone(botId: string, timeZone: string): Promise<SetTimeZoneReplyJson> {
    const { newEvents } = await this.run({ type: 'SetTimeZone', botId, timeZone });
    return { timeZone, changed: newEvents.length > 0 };
  }

  async defineBadge(botId: string, badge: BadgeDefinition): Promise<DefineBadgeReplyJson> {
    const { state, newEvents } = await this.run({ type: 'DefineBadge', botId, badge });
    return { badge: badgeJson(state.badges[badge.key]), changed: newEvents.length > 0 };
  }

  async listBadges(botId: string): Promise<ListBadgesReplyJson> {
    return { badges: (await this.directory.of(botId)).badges.map(badgeJson) };
  }

  private run(command: BotSettingsCommand) {
    return this.handler.handle(botSettingsStreamId(command.botId), command, {
      botId: command.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      // The contract does not say who asks: a field for it joins the requests when an admin API calls them.
      actor: { kind: 'service', id: 'rpc-caller' },
      occurredAt: this.clock.now(),
    });
  }
}
