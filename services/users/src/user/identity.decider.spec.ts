import { DeciderSpecification } from '@botplatform/event-store';
import { identityIdOf } from './identity-id.js';
import { identityDecider, normalizeProfile, type IdentityCreated, type UpsertIdentity } from './identity.decider.js';

const BOT_A = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const BOT_B = '5c0e2f1a-9d8b-4c7e-a6f5-4e3d2c1b0a99';
const ann = { firstName: 'Ann', username: 'ann', languageCode: 'ru', isPremium: false };
const upsert: UpsertIdentity = {
  type: 'UpsertIdentity',
  botId: BOT_A,
  telegramUserId: 42,
  userId: identityIdOf(42),
  profile: ann,
  now: '2026-11-23T10:00:00.000Z',
};
const created: IdentityCreated = {
  type: 'IdentityCreated',
  data: { botId: BOT_A, userId: identityIdOf(42), telegramUserId: 42, profile: ann, createdAt: '2026-11-23T10:00:00.000Z' },
};

describe('Identity', () => {
  const spec = DeciderSpecification.for(identityDecider);

  describe('when Telegram reports the user for the first time', () => {
    it('creates the identity with the profile', () => {
      spec.given([]).when(upsert).then([created]);
    });

    it('leaves empty optional fields out', () => {
      const profile = { firstName: 'Bob', username: '', lastName: undefined, isPremium: true };
      spec
        .given([])
        .when({ ...upsert, profile })
        .then([{ type: 'IdentityCreated', data: { ...created.data, profile: { firstName: 'Bob', isPremium: true } } }]);
    });
  });

  describe('when the identity exists', () => {
    it('decides nothing for an unchanged profile, whichever bot reports it', () => {
      spec
        .given([created])
        .when({ ...upsert, botId: BOT_B, profile: { ...ann, lastName: undefined } })
        .then([]);
    });

    it.each([
      ['username', { ...ann, username: 'ann_new' }],
      ['username removed', { firstName: 'Ann', languageCode: 'ru', isPremium: false }],
      ['first name', { ...ann, firstName: 'Anna' }],
      ['last name', { ...ann, lastName: 'Lee' }],
      ['language', { ...ann, languageCode: 'en' }],
      ['premium', { ...ann, isPremium: true }],
    ])('records a changed %s with the bot it came through and the previous profile', (_, profile) => {
      spec
        .given([created])
        .when({ ...upsert, botId: BOT_B, profile, now: '2026-11-24T00:00:00.000Z' })
        .then([
          {
            type: 'IdentityProfileChanged',
            data: {
              botId: BOT_B,
              userId: identityIdOf(42),
              telegramUserId: 42,
              profile: normalizeProfile(profile),
              previous: ann,
              changedAt: '2026-11-24T00:00:00.000Z',
            },
          },
        ]);
    });

    it('compares with the latest profile, not the first', () => {
      const changed = identityDecider.decide(
        { ...upsert, profile: { ...ann, username: 'ann2' } },
        identityDecider.evolve(identityDecider.initialState(), created),
      );
      spec
        .given([created, ...changed])
        .when({ ...upsert, profile: { ...ann, username: 'ann2' } })
        .then([]);
    });
  });
});

describe('identityIdOf', () => {
  it('gives one person the same id in every bot, and different people different ids', () => {
    expect(identityIdOf(42)).toBe(identityIdOf(42));
    expect(identityIdOf(42)).not.toBe(identityIdOf(43));
    expect(identityIdOf(42)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
