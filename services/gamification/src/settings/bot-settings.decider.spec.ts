import { DeciderSpecification } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { botSettingsDecider, type BadgeDefined, type LevelsConfigured } from './bot-settings.decider.js';
import { InvalidLevelsError, InvalidTimeZoneError } from './bot-settings.errors.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const LEVELS = [
  { level: 1, minXp: 0 },
  { level: 2, minXp: 100 },
];
const levelsConfigured: LevelsConfigured = { type: 'LevelsConfigured', data: { botId: BOT, levels: LEVELS } };
const firstWin = { key: 'first-win', names: { en: 'First win', ru: 'Первая победа' }, icon: '🥇' };
const badgeDefined: BadgeDefined = { type: 'BadgeDefined', data: { botId: BOT, badge: firstWin } };

describe("A bot's gamification settings", () => {
  const spec = DeciderSpecification.for(botSettingsDecider);

  it('takes valid level thresholds, and the same ones again change nothing', () => {
    spec.given([]).when({ type: 'ConfigureLevels', botId: BOT, levels: LEVELS }).then([levelsConfigured]);
    spec
      .given([levelsConfigured])
      .when({ type: 'ConfigureLevels', botId: BOT, levels: LEVELS.map((l) => ({ ...l })) })
      .then([]);
    spec
      .given([levelsConfigured])
      .when({ type: 'ConfigureLevels', botId: BOT, levels: [...LEVELS, { level: 3, minXp: 250 }] })
      .then([{ type: 'LevelsConfigured', data: { botId: BOT, levels: [...LEVELS, { level: 3, minXp: 250 }] } }]);
  });

  it('refuses thresholds not starting with level 1 at 0 XP or not strictly increasing, with GAMIFICATION.INVALID_LEVELS', () => {
    spec
      .given([])
      .when({
        type: 'ConfigureLevels',
        botId: BOT,
        levels: [
          { level: 1, minXp: 0 },
          { level: 2, minXp: 0 },
        ],
      })
      .thenThrows(InvalidLevelsError, (error) => expect((error as InvalidLevelsError).code).toBe('GAMIFICATION.INVALID_LEVELS'));
  });

  it('sets an IANA time zone once, and refuses a made-up one with GAMIFICATION.INVALID_TIME_ZONE', () => {
    spec
      .given([])
      .when({ type: 'SetTimeZone', botId: BOT, timeZone: 'Asia/Tokyo' })
      .then([{ type: 'TimeZoneSet', data: { botId: BOT, timeZone: 'Asia/Tokyo' } }]);
    spec
      .given([{ type: 'TimeZoneSet', data: { botId: BOT, timeZone: 'Asia/Tokyo' } }])
      .when({ type: 'SetTimeZone', botId: BOT, timeZone: 'Asia/Tokyo' })
      .then([]);
    spec
      .given([])
      .when({ type: 'SetTimeZone', botId: BOT, timeZone: 'Mars/Olympus' })
      .thenThrows(InvalidTimeZoneError, (error) => expect((error as InvalidTimeZoneError).code).toBe('GAMIFICATION.INVALID_TIME_ZONE'));
  });

  it('adds a badge to the catalogue, ignores the same definition again and records a changed one', () => {
    spec.given([]).when({ type: 'DefineBadge', botId: BOT, badge: firstWin }).then([badgeDefined]);
    spec
      .given([badgeDefined])
      .when({ type: 'DefineBadge', botId: BOT, badge: { ...firstWin, names: { ru: 'Первая победа', en: 'First win' } } })
      .then([]);
    const renamed = { ...firstWin, icon: '🏆' };
    spec
      .given([badgeDefined])
      .when({ type: 'DefineBadge', botId: BOT, badge: renamed })
      .then([{ type: 'BadgeDefined', data: { botId: BOT, badge: renamed } }]);
  });
});
