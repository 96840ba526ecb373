import { LevelReachedSchema } from '@botplatform/contracts';
import { DeciderSpecification, type RecordedEvent } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import { groupLevelDecider, type CheckGroupLevel, type GroupLevelReached } from './group-level.decider.js';
import { memberPublicEvents } from './member.public-events.js';

const GROUP = '5a1f0c8d-2e10-4a7e-9b61-0b7d6a521c1e';
const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const NOW = '2026-11-30T10:00:00.000Z';
const LEVELS = [
  { level: 1, minXp: 0 },
  { level: 2, minXp: 100 },
  { level: 3, minXp: 300 },
];

const check = (groupXp: number): CheckGroupLevel => ({
  type: 'CheckGroupLevel',
  groupId: GROUP,
  botId: BOT,
  telegramUserId: 42,
  groupXp,
  levels: LEVELS,
  now: NOW,
});
const reached = (from: number, to: number, groupXp: number): GroupLevelReached => ({
  type: 'GroupLevelReached',
  data: { groupId: GROUP, botId: BOT, telegramUserId: 42, from, to, groupXp, reachedAt: NOW },
});

describe("A member's level in a bot group", () => {
  const spec = DeciderSpecification.for(groupLevelDecider);

  it('is raised when the summed XP reaches a threshold, with the old and the new level', () => {
    spec.given([]).when(check(99)).then([]);
    spec
      .given([])
      .when(check(100))
      .then([reached(1, 2, 100)]);
    spec
      .given([])
      .when(check(350))
      .then([reached(1, 3, 350)]);
  });

  it('is raised once: a second check with the same or a smaller sum decides nothing, and it never goes down', () => {
    spec
      .given([reached(1, 2, 120)])
      .when(check(120))
      .then([]);
    spec
      .given([reached(1, 2, 120)])
      .when(check(40))
      .then([]);
    spec
      .given([reached(1, 2, 120)])
      .when(check(300))
      .then([reached(2, 3, 300)]);
  });

  it('is published as a level-up of the bot whose award crossed it, naming the group', () => {
    const event = { ...reached(1, 2, 120), metadata: {} } as unknown as RecordedEvent;
    const published = memberPublicEvents(event);
    expect(published?.schema).toBe(LevelReachedSchema);
    expect(published?.message).toMatchObject({ botId: BOT, telegramUserId: 42n, fromLevel: 1, toLevel: 2, totalXp: 120n, groupId: GROUP });
  });
});
