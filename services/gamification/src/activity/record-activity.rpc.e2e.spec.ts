import { ActivityCompletedSchema, RPC, type ActivityInputJson } from '@botplatform/contracts';
import { waitFor } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startGamificationTestService, type GamificationTestService } from '../testing/gamification-test-service.js';
import { activityStreamId } from './activity.decider.js';

const T0 = new Date('2026-11-30T10:00:00.000Z');

/** Seed 003's save_training_history: the SPIN trainer's figures and JSON. */
const TRAINING: ActivityInputJson = {
  id: 'training-1',
  type: 'spin_training',
  score: '185',
  metrics: { clarity_level: 92, question_count: 8, contextual_questions: 3 },
  payloadJson: JSON.stringify({
    per_type_counts: { situation: 2, problem: 3, implication: 2, need_payoff: 1 },
    case_data: { client: 'TechCorp', product: 'CRM System' },
    session_snapshot: { chat_state: 'finished' },
  }),
};

/**
 * `rpc.gamification.record-activity` with an activity and `rpc.gamification.get-activity-history`: the
 * service through startService on its own database, racing calls on one activity id.
 */
describe('The activity history over request/reply', () => {
  let t: GamificationTestService;
  let nextMember = 5000;
  const member = () => String(nextMember++);

  const record = (botId: string, telegramUserId: string, activity: ActivityInputJson, occurredAt?: string) =>
    t.call(RPC.gamification.recordActivity, { botId, telegramUserId, activity, ...(occurredAt ? { occurredAt } : {}) });
  const history = (botId: string, telegramUserId: string, limit: number, cursor?: string) =>
    t.call(RPC.gamification.getActivityHistory, { botId, telegramUserId, limit, ...(cursor ? { cursor } : {}) });

  beforeAll(async () => {
    t = await startGamificationTestService('bp_gamification_activity', T0);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps an activity with its type, score, metrics and JSON payload, and extends the streak', async () => {
    const botId = randomUUID();
    const who = member();
    const reply = await record(botId, who, TRAINING, '2026-11-30T09:30:00.000Z');
    expect(reply).toMatchObject({ activityRecorded: true, extended: true, day: '2026-11-30', streak: { current: 1 } });
    const page = await history(botId, who, 10);
    expect(page.nextCursor).toBeUndefined();
    expect(page.entries).toHaveLength(1);
    const [entry] = page.entries!;
    expect(entry).toMatchObject({ id: 'training-1', type: 'spin_training', score: '185', metrics: TRAINING.metrics, occurredAt: '2026-11-30T09:30:00.000Z' });
    expect(JSON.parse(entry.payloadJson!)).toEqual(JSON.parse(TRAINING.payloadJson!));
  });

  it('publishes gamification.activity.completed once, without the payload', async () => {
    const botId = randomUUID();
    const who = member();
    await record(botId, who, TRAINING);
    await record(botId, who, TRAINING);
    const event = await waitFor('the public event', () => t.published(ActivityCompletedSchema).find((e) => e.message.botId === botId));
    expect(event.message).toMatchObject({ telegramUserId: BigInt(who), activityId: 'training-1', activityType: 'spin_training', score: 185n });
    expect(event.message.metrics).toEqual(TRAINING.metrics);
    // A later relay round would have brought a second one by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.published(ActivityCompletedSchema).filter((e) => e.message.botId === botId)).toHaveLength(1);
  });

  it('records an activity id once when 20 records race, and the first figures stand', async () => {
    const botId = randomUUID();
    const who = member();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => record(botId, who, { ...TRAINING, score: String(100 + i) })));
    expect(replies.filter((reply) => reply.activityRecorded)).toHaveLength(1);
    const events = await t.streamEvents(activityStreamId(botId, Number(who), 'training-1'));
    expect(events.map((event) => event.type)).toEqual(['ActivityCompleted']);
    const { entries } = await history(botId, who, 50);
    expect(entries).toHaveLength(1);
    expect(entries![0].score).toBe(String((events[0].data as { score: number }).score));
  });

  it('pages the history newest first with a cursor: every activity once, ties on the time ordered by id', async () => {
    const botId = randomUUID();
    const who = member();
    const times = [
      '2026-11-20T08:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
      '2026-11-22T08:00:00.000Z',
      '2026-11-29T08:00:00.000Z',
      '2026-11-21T08:00:00.000Z',
      '2026-11-28T08:00:00.000Z',
    ];
    for (const [i, at] of times.entries()) await record(botId, who, { id: `a-${i}`, type: 'quiz', score: String(i) }, at);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await history(botId, who, 3, cursor);
      seen.push(...page.entries!.map((entry) => entry.id!));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a-4', 'a-6', 'a-2', 'a-1', 'a-3', 'a-5', 'a-0']);
    // Another member's and another bot's activities are not in it.
    expect((await history(randomUUID(), who, 10)).entries ?? []).toEqual([]);
    expect((await history(botId, member(), 10)).entries ?? []).toEqual([]);
  });

  it('refuses a payload that is not a JSON object, a metric that is not finite and a future time, writing nothing', async () => {
    const botId = randomUUID();
    const who = member();
    const before = await t.countEvents();
    expect((await t.failure(record(botId, who, { ...TRAINING, payloadJson: '[1,2]' }))).code).toBe('GAMIFICATION.INVALID_ACTIVITY_PAYLOAD');
    expect((await t.failure(record(botId, who, { ...TRAINING, payloadJson: '{"a":' }))).code).toBe('GAMIFICATION.INVALID_ACTIVITY_PAYLOAD');
    expect((await t.failure(record(botId, who, { ...TRAINING, payloadJson: JSON.stringify({ s: 'x'.repeat(17_000) }) }))).code).toBe(
      'GAMIFICATION.INVALID_ACTIVITY_PAYLOAD',
    );
    expect((await t.failure(record(botId, who, { ...TRAINING, metrics: { clarity_level: 'NaN' } }))).code).toBe('GAMIFICATION.INVALID_ACTIVITY_METRICS');
    expect((await t.failure(record(botId, who, TRAINING, '2026-12-01T10:00:00.000Z'))).code).toBe('GAMIFICATION.ACTIVITY_IN_FUTURE');
    expect((await t.failure(record(botId, who, { ...TRAINING, id: 'has space' }))).code).toBe('VALIDATION.FAILED');
    expect(await t.countEvents()).toBe(before);
    expect((await history(botId, who, 10)).entries ?? []).toEqual([]);
  });

  it('refuses a cursor it did not write', async () => {
    const failure = await t.failure(history(randomUUID(), member(), 10, 'bm90IGEgY3Vyc29y'));
    expect(failure.code).toBe('GAMIFICATION.INVALID_CURSOR');
  });
});
