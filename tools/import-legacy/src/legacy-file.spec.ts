import { describe, expect, it } from '@jest/globals';
import { LegacyFileError, parseLegacyFile } from './legacy-file.js';

const options = { badgeCatalogue: new Set(['spin_master', 'first_training']), now: new Date('2026-12-01T00:00:00Z') };
const parse = (rows: unknown) => parseLegacyFile(JSON.stringify(rows), options);

describe("Seed 003's users_data.json", () => {
  it('reads a row with its profile, XP, level, badges (strings and UserBadge objects, with the achievements), stats and session', () => {
    const { users, invalid } = parse({
      '123456': {
        username: 'johndoe',
        first_name: 'John',
        last_name: 'Doe',
        language_code: 'ru',
        total_xp: 500,
        level: 5,
        badges: ['first_training', { badge_type: 'spin_master', earned_in_bot: 'spin_bot' }],
        stats: { total_trainings: 10, best_score: 185, achievements_unlocked: ['spin_master'], maestro_streak: 3, last_training_date: '2025-01-15T10:30:00' },
        session: { question_count: 5, chat_state: 'in_progress' },
      },
    });
    expect(invalid).toEqual([]);
    expect(users).toEqual([
      {
        telegramUserId: '123456',
        profile: { firstName: 'John', username: 'johndoe', lastName: 'Doe', languageCode: 'ru' },
        xp: 500,
        level: 5,
        badges: ['first_training', 'spin_master'],
        stats: { totalActivities: 10, bestScore: 185, lastActivityAt: '2025-01-15T10:30:00.000Z' },
        sessionJson: JSON.stringify({ question_count: 5, chat_state: 'in_progress' }),
      },
    ]);
  });

  it("takes seed 003's stats_data and session_data names, and leaves out an empty session and stats without a training", () => {
    const { users } = parse({ '7': { first_name: 'A', xp: 0, stats_data: { total_trainings: 0 }, session_data: {} } });
    expect(users).toEqual([{ telegramUserId: '7', profile: { firstName: 'A' }, xp: 0, level: null, badges: [], stats: null, sessionJson: null }]);
  });

  it.each([
    ['abc', 'bad Telegram id "abc"', { first_name: 'A' }],
    ['0', 'bad Telegram id "0"', { first_name: 'A' }],
    ['-5', 'bad Telegram id "-5"', { first_name: 'A' }],
    ['99999999999999999', 'bad Telegram id "99999999999999999"', { first_name: 'A' }],
    ['1', 'negative XP (-10)', { first_name: 'A', total_xp: -10 }],
    ['1', 'XP 1.5 is not a whole number', { first_name: 'A', total_xp: 1.5 }],
    ['1', `badge "unknown_badge" is not in the bot's catalogue`, { first_name: 'A', badges: ['unknown_badge'] }],
    ['1', `badge "nope" is not in the bot's catalogue`, { first_name: 'A', stats: { achievements_unlocked: ['nope'] } }],
    ['1', 'stats.total_trainings without a stats.last_training_date', { first_name: 'A', stats: { total_trainings: 3 } }],
    [
      '1',
      'stats.last_training_date 2030-01-01T00:00:00 is in the future',
      { first_name: 'A', stats: { total_trainings: 3, last_training_date: '2030-01-01T00:00:00' } },
    ],
    ['1', 'stats.total_trainings -1 is not a whole number from 0 to 1000000000', { first_name: 'A', stats: { total_trainings: -1 } }],
    ['1', 'stats.total_trainings 1000000001 is not a whole number from 0 to 1000000000', { first_name: 'A', stats: { total_trainings: 1_000_000_001 } }],
    ['1', 'session of 5010 bytes is over 4096', { first_name: 'A', session: { big: 'x'.repeat(5000) } }],
    ['1', 'no first_name (nor a username to use instead)', { total_xp: 5 }],
    ['1', 'level 0 is not a positive whole number', { first_name: 'A', level: 0 }],
    ['1', 'the row is not an object', 'John'],
  ])('reports row %j as invalid: %s', (key, reason, row) => {
    const { users, invalid } = parse({ [key]: row });
    expect(users).toEqual([]);
    expect(invalid).toEqual([{ key, reasons: [reason] }]);
  });

  it('gives every reason of a row at once, and keeps the valid rows beside it', () => {
    const { users, invalid } = parse({ x1: { first_name: 'A', total_xp: -1 }, '42': { username: 'ann' } });
    expect(invalid).toEqual([{ key: 'x1', reasons: ['bad Telegram id "x1"', 'negative XP (-1)'] }]);
    expect(users.map((user) => [user.telegramUserId, user.profile.firstName])).toEqual([['42', 'ann']]);
  });

  it('refuses a file that is not a JSON object of rows', () => {
    expect(() => parseLegacyFile('[1, 2]', options)).toThrow(LegacyFileError);
    expect(() => parseLegacyFile('{"1":', options)).toThrow(/not JSON/);
  });
});
