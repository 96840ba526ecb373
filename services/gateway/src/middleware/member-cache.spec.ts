import type { MemberViewJson } from '@botplatform/contracts';
import { describe, expect, it } from '@jest/globals';
import { MemberCache, type MemberProfile } from './member-cache.js';

const BOT_A = '11111111-1111-4111-8111-111111111111';
const BOT_B = '22222222-2222-4222-8222-222222222222';
const ann: MemberProfile = { firstName: 'Ann', username: 'ann', languageCode: 'en', isPremium: false };
const annMember: MemberViewJson = { botId: BOT_A, telegramUserId: '42', firstName: 'Ann', role: 'MEMBER_ROLE_USER', status: 'MEMBER_STATUS_ACTIVE' };

function cacheWithClock(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const clock = { now: 1_000_000 };
  const cache = new MemberCache({ ...options, now: () => clock.now });
  return { cache, clock };
}

describe('MemberCache', () => {
  it('answers a member registered with the same profile', () => {
    const { cache } = cacheWithClock();
    cache.set(BOT_A, 42, ann, annMember);
    expect(cache.get(BOT_A, '42', { ...ann })).toEqual(annMember);
  });

  it('keeps bots apart', () => {
    const { cache } = cacheWithClock();
    cache.set(BOT_A, 42, ann, annMember);
    expect(cache.get(BOT_B, 42, ann)).toBeUndefined();
  });

  describe('when the lifetime has passed', () => {
    it('forgets the member', () => {
      const { cache, clock } = cacheWithClock({ ttlMs: 60_000 });
      cache.set(BOT_A, 42, ann, annMember);
      clock.now += 59_999;
      expect(cache.get(BOT_A, 42, ann)).toEqual(annMember);
      clock.now += 1;
      expect(cache.get(BOT_A, 42, ann)).toBeUndefined();
      expect(cache.size).toBe(0);
    });
  });

  describe('when Telegram reports a different profile', () => {
    it.each<[string, MemberProfile]>([
      ['another first name', { ...ann, firstName: 'Anna' }],
      ['a new username', { ...ann, username: 'anna' }],
      ['no username', { ...ann, username: undefined }],
      ['a last name', { ...ann, lastName: 'Lee' }],
      ['another language', { ...ann, languageCode: 'ru' }],
      ['premium', { ...ann, isPremium: true }],
    ])('misses for %s, so the change is registered', (_name, changed) => {
      const { cache } = cacheWithClock();
      cache.set(BOT_A, 42, ann, annMember);
      expect(cache.get(BOT_A, 42, changed)).toBeUndefined();
    });
  });

  describe('invalidate', () => {
    it('forgets one membership and nothing else', () => {
      const { cache } = cacheWithClock();
      cache.set(BOT_A, 42, ann, annMember);
      cache.set(BOT_B, 42, ann, { ...annMember, botId: BOT_B });
      cache.invalidate(BOT_A, '42');
      expect(cache.get(BOT_A, 42, ann)).toBeUndefined();
      expect(cache.get(BOT_B, 42, ann)).toBeDefined();
    });

    it('forgets a user in every bot with invalidateUser', () => {
      const { cache } = cacheWithClock();
      cache.set(BOT_A, 42, ann, annMember);
      cache.set(BOT_B, 42, ann, { ...annMember, botId: BOT_B });
      cache.set(BOT_A, 43, ann, { ...annMember, telegramUserId: '43' });
      cache.invalidateUser(42);
      expect(cache.get(BOT_A, 42, ann)).toBeUndefined();
      expect(cache.get(BOT_B, 42, ann)).toBeUndefined();
      expect(cache.get(BOT_A, 43, ann)).toBeDefined();
    });
  });

  it('drops the oldest written entries beyond its size', () => {
    const { cache } = cacheWithClock({ maxEntries: 2 });
    cache.set(BOT_A, 1, ann, annMember);
    cache.set(BOT_A, 2, ann, annMember);
    cache.set(BOT_A, 1, ann, annMember);
    cache.set(BOT_A, 3, ann, annMember);
    expect(cache.size).toBe(2);
    expect(cache.get(BOT_A, 2, ann)).toBeUndefined();
    expect(cache.get(BOT_A, 1, ann)).toBeDefined();
    expect(cache.get(BOT_A, 3, ann)).toBeDefined();
  });
});
