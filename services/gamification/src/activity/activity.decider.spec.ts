import { DeciderSpecification } from '@botplatform/event-store';
import { describe, it } from '@jest/globals';
import { activityDecider, type ActivityCompleted, type CompleteActivity } from './activity.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const NOW = '2026-11-30T10:00:00.000Z';

const complete = (overrides: Partial<CompleteActivity> = {}): CompleteActivity => ({
  type: 'CompleteActivity',
  botId: BOT,
  telegramUserId: 42,
  activityId: 'training-1',
  activityType: 'spin_training',
  score: 185,
  metrics: { clarity_level: 92, question_count: 8 },
  payload: { per_type_counts: { situation: 2, problem: 3 }, case_data: { client: 'TechCorp' } },
  occurredAt: '2026-11-30T09:58:00.000Z',
  periods: { week: '2026-11-30', month: '2026-11-01' },
  now: NOW,
  ...overrides,
});

const completed = (command: CompleteActivity): ActivityCompleted => {
  const { type: _type, now, ...data } = command;
  return { type: 'ActivityCompleted', data: { ...data, recordedAt: now } };
};

describe('An activity', () => {
  const spec = DeciderSpecification.for(activityDecider);

  it('is recorded with its type, score, metrics and payload', () => {
    spec
      .given([])
      .when(complete())
      .then([completed(complete())]);
  });

  it('is recorded without a score or a payload', () => {
    const command = complete({ score: null, payload: null, metrics: {} });
    spec
      .given([])
      .when(command)
      .then([completed(command)]);
  });

  it('is recorded once: the same id again, even with other figures, records nothing', () => {
    spec
      .given([completed(complete())])
      .when(complete())
      .then([]);
    spec
      .given([completed(complete())])
      .when(complete({ score: 10, now: '2026-11-30T11:00:00.000Z' }))
      .then([]);
  });
});
