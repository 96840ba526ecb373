import type { Decider, DomainEvent } from '@botplatform/event-store';
import { isTimeZone } from '../shared/local-day.js';
import { InvalidLevelsError, InvalidTimeZoneError } from './bot-settings.errors.js';
import { levelsProblem, type LevelThreshold } from './levels.js';

/** A badge of a bot's catalogue: its key, its name per language and its icon (an emoji). */
export interface BadgeDefinition {
  readonly key: string;
  readonly names: Readonly<Record<string, string>>;
  readonly icon: string;
}

export interface ConfigureLevels {
  readonly type: 'ConfigureLevels';
  readonly botId: string;
  readonly levels: readonly LevelThreshold[];
}

export interface SetTimeZone {
  readonly type: 'SetTimeZone';
  readonly botId: string;
  readonly timeZone: string;
}

/** Adds a badge to the catalogue, or changes its names and icon (members who have it keep it). */
export interface DefineBadge {
  readonly type: 'DefineBadge';
  readonly botId: string;
  readonly badge: BadgeDefinition;
}

export type BotSettingsCommand = ConfigureLevels | SetTimeZone | DefineBadge;

export type LevelsConfigured = DomainEvent<'LevelsConfigured', { botId: string; levels: LevelThreshold[] }>;
export type TimeZoneSet = DomainEvent<'TimeZoneSet', { botId: string; timeZone: string }>;
export type BadgeDefined = DomainEvent<'BadgeDefined', { botId: string; badge: BadgeDefinition }>;

export type BotSettingsEvent = LevelsConfigured | TimeZoneSet | BadgeDefined;

export const BOT_SETTINGS_EVENT_TYPES = ['LevelsConfigured', 'TimeZoneSet', 'BadgeDefined'] as const satisfies readonly BotSettingsEvent['type'][];

export interface BotSettingsState {
  readonly levels: readonly LevelThreshold[] | null;
  readonly timeZone: string | null;
  readonly badges: Readonly<Record<string, BadgeDefinition>>;
}

const sameLevels = (a: readonly LevelThreshold[] | null, b: readonly LevelThreshold[]) =>
  a !== null && a.length === b.length && a.every((threshold, i) => threshold.level === b[i].level && threshold.minXp === b[i].minXp);

const sameBadge = (a: BadgeDefinition | undefined, b: BadgeDefinition) =>
  a !== undefined && a.icon === b.icon && JSON.stringify(Object.entries(a.names).sort()) === JSON.stringify(Object.entries(b.names).sort());

/**
 * A bot's gamification settings: its level thresholds, its time zone for streak days and its badge
 * catalogue. Setting what is already set decides nothing, so a repeated request is harmless.
 */
export const botSettingsDecider: Decider<BotSettingsState, BotSettingsCommand, BotSettingsEvent> = {
  initialState: () => ({ levels: null, timeZone: null, badges: {} }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'LevelsConfigured':
        return { ...state, levels: event.data.levels };
      case 'TimeZoneSet':
        return { ...state, timeZone: event.data.timeZone };
      case 'BadgeDefined':
        return { ...state, badges: { ...state.badges, [event.data.badge.key]: event.data.badge } };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'ConfigureLevels': {
        const problem = levelsProblem(command.levels);
        if (problem) throw new InvalidLevelsError(problem);
        if (sameLevels(state.levels, command.levels)) return [];
        return [{ type: 'LevelsConfigured', data: { botId: command.botId, levels: command.levels.map(({ level, minXp }) => ({ level, minXp })) } }];
      }
      case 'SetTimeZone': {
        if (!isTimeZone(command.timeZone)) throw new InvalidTimeZoneError(command.timeZone);
        if (state.timeZone === command.timeZone) return [];
        return [{ type: 'TimeZoneSet', data: { botId: command.botId, timeZone: command.timeZone } }];
      }
      case 'DefineBadge': {
        if (sameBadge(state.badges[command.badge.key], command.badge)) return [];
        return [
          {
            type: 'BadgeDefined',
            data: { botId: command.botId, badge: { key: command.badge.key, names: { ...command.badge.names }, icon: command.badge.icon } },
          },
        ];
      }
    }
  },
};

/** The settings stream of one bot. */
export const botSettingsStreamId = (botId: string): string => `gamification-bot-${botId}`;
