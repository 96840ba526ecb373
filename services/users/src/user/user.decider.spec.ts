import { DeciderSpecification } from '@botplatform/event-store';
import { identityIdOf } from './identity-id.js';
import { userDecider, type RegisterUser, type UserRegistered } from './user.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const register: RegisterUser = {
  type: 'RegisterUser',
  botId: BOT,
  telegramUserId: 42,
  userId: identityIdOf(42),
  profile: { firstName: 'Ann', username: 'ann', languageCode: 'ru', isPremium: true },
  startPayload: 'ref-7',
  now: '2026-11-23T10:00:00.000Z',
};
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    botId: BOT,
    userId: identityIdOf(42),
    telegramUserId: 42,
    profile: { firstName: 'Ann', username: 'ann', languageCode: 'ru', isPremium: true },
    startPayload: 'ref-7',
    registeredAt: '2026-11-23T10:00:00.000Z',
  },
};

describe('User membership', () => {
  const spec = DeciderSpecification.for(userDecider);

  describe('when the user is new to the bot', () => {
    it('registers them with their profile and deep-link payload', () => {
      spec.given([]).when(register).then([registered]);
    });

    it('leaves the payload out of a plain /start', () => {
      const { startPayload: _, ...plain } = register;
      const { startPayload: __, ...data } = registered.data;
      spec.given([]).when(plain).then([{ type: 'UserRegistered', data }]);
    });
  });

  describe('when the user is already a member', () => {
    it('decides nothing, so pressing /start again is harmless', () => {
      spec.given([registered]).when({ ...register, now: '2026-11-24T00:00:00.000Z' }).then([]);
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
