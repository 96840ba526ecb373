import { RPC } from '@botplatform/contracts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');

/**
 * `rpc.gamification.import-activity-stats` (npm run import:legacy): seed 003's stats_data added to a member's
 * statistics once per source id. The service through startService on its own database, racing imports.
 */
describe('Imported statistics over request/reply', () => {
  let t: GamificationTestService;
  let nextMember = 8000;
  const member = () => String(nextMember++);
  const importStats = (
    botId: string,
    telegramUserId: string,
    figures: { total: number; best?: number; last: string },
    sourceId = `legacy:${botId}:${telegramUserId}:stats`,
  ) =>
    t.call(RPC.gamification.importActivityStats, {
      botId,
      telegramUserId,
      sourceId,
      totalActivities: String(figures.total),
      ...(figures.best === undefined ? {} : { bestScore: String(figures.best) }),
      lastActivityAt: figures.last,
    });
  const stats = async (botId: string, telegramUserId: string) => (await t.call(RPC.gamification.getProfile, { botId, telegramUserId })).stats;

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_imported_stats', T0);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('imports once when 20 imports with one source id race: one answer says imported, the totals count once', async () => {
    const botId = randomUUID();
    const who = member();
    const replies = await Promise.all(Array.from({ length: 20 }, () => importStats(botId, who, { total: 10, best: 185, last: '2025-01-15T10:30:00.000Z' })));
    expect(replies.filter((reply) => reply.imported)).toHaveLength(1);
    expect(await stats(botId, who)).toEqual({ totalActivities: '10', bestScore: '185', lastActivityAt: '2025-01-15T10:30:00.000Z', achievements: 0 });
    // A second import with other figures under the same source id changes nothing.
    expect(await importStats(botId, who, { total: 99, best: 999, last: '2026-01-01T00:00:00.000Z' })).toMatchObject({
      imported: false,
      stats: { totalActivities: '10' },
    });
  });

  it('adds to the activities the member records in the bot: totals add up, the best score and the last time are the greater', async () => {
    const botId = randomUUID();
    const who = member();
    await t.call(RPC.gamification.recordActivity, {
      botId,
      telegramUserId: who,
      occurredAt: '2026-11-30T09:00:00.000Z',
      activity: { id: 'training-1', type: 'spin_training', score: '120', metrics: {} },
    });
    const reply = await importStats(botId, who, { total: 10, best: 185, last: '2025-01-15T10:30:00.000Z' });
    expect(reply).toEqual({ imported: true, stats: { totalActivities: '11', bestScore: '185', lastActivityAt: '2026-11-30T09:00:00.000Z', achievements: 0 } });
    // Another source id (another legacy bot's file) adds again.
    expect((await importStats(botId, who, { total: 2, last: '2025-03-01T00:00:00.000Z' }, 'legacy:other')).stats).toMatchObject({
      totalActivities: '13',
      bestScore: '185',
    });
  });

  it('refuses a last activity in the future, a count of none and a bad member, writing nothing', async () => {
    const botId = randomUUID();
    const who = member();
    expect((await t.failure(importStats(botId, who, { total: 3, last: '2026-12-02T00:00:00.000Z' }))).code).toBe('GAMIFICATION.INVALID_IMPORTED_STATS');
    expect((await t.failure(importStats(botId, who, { total: 0, last: '2025-01-01T00:00:00.000Z' }))).code).toBe('VALIDATION.FAILED');
    expect((await t.failure(importStats(botId, '0', { total: 1, last: '2025-01-01T00:00:00.000Z' }))).code).toBe('VALIDATION.FAILED');
    expect(await stats(botId, who)).toEqual({ totalActivities: '0', achievements: 0 });
  });
});
