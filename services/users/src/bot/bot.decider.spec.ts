import { DeciderSpecification } from '@botplatform/event-store';
import {
  BotAlreadyRegisteredError,
  BotNotFoundError,
  InvalidBotTokenError,
  InvalidFeatureFlagError,
  InvalidSettingError,
  InvalidTimezoneError,
  SettingTypeMismatchError,
} from './bot.errors.js';
import { botDecider, type BotCommand, type BotEvent, type BotRegistered, type BotSettingChanged, type RegisterBot } from './bot.decider.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T11:00:00.000Z';
const sealed = { keyId: 'k1', iv: 'aXYtaXYtaXYtaXYt', ciphertext: 'Y2lwaGVy', tag: 'dGFnLXRhZy10YWctdGFnLQ==' };
const resealed = { keyId: 'k2', iv: 'bmV3LWl2LW5ldy1p', ciphertext: 'bmV3', tag: 'bmV3LXRhZy1uZXctdGFnLQ==' };

const register: RegisterBot = {
  type: 'RegisterBot',
  botId: BOT,
  name: 'Shop',
  telegramBotId: 123456789,
  ownerTelegramUserId: 42,
  encryptedToken: sealed,
  apiTokenId: 'abcd2345',
  apiTokenHash: 'f'.repeat(64),
  timezone: 'Europe/Berlin',
  now: NOW,
};
const registered: BotRegistered = {
  type: 'BotRegistered',
  data: {
    botId: BOT,
    name: 'Shop',
    telegramBotId: 123456789,
    ownerTelegramUserId: 42,
    tokenVersion: 1,
    encryptedToken: sealed,
    apiTokenId: 'abcd2345',
    apiTokenHash: 'f'.repeat(64),
    timezone: 'Europe/Berlin',
    registeredAt: NOW,
  },
};
const deactivated: BotEvent = { type: 'BotDeactivated', data: { botId: BOT, reason: 'abuse', deactivatedAt: NOW } };

const setSetting = (fields: Partial<Extract<BotCommand, { type: 'SetSetting' }>>): BotCommand => ({
  type: 'SetSetting',
  botId: BOT,
  key: 'welcome_text',
  valueJson: '"hi"',
  changedBy: 'api:abcd2345',
  now: LATER,
  ...fields,
});
const settingChanged = (data: Partial<BotSettingChanged['data']>): BotSettingChanged => ({
  type: 'BotSettingChanged',
  data: {
    botId: BOT,
    key: 'welcome_text',
    type: 'string',
    value: 'hi',
    description: 'Greeting',
    changedBy: 'api:abcd2345',
    changedAt: LATER,
    ...data,
  },
});

describe('Bot', () => {
  const spec = DeciderSpecification.for(botDecider);

  describe('when it is not registered', () => {
    it('registers it active, with token version 1 and only the sealed token and the API token hash', () => {
      spec.given([]).when(register).then([registered]);
    });

    it('refuses an unknown time zone', () => {
      spec
        .given([])
        .when({ ...register, timezone: 'Mars/Olympus' })
        .thenThrows(InvalidTimezoneError);
    });

    it('answers every other command with USERS.BOT_NOT_FOUND', () => {
      spec
        .given([])
        .when({ type: 'ActivateBot', botId: BOT, now: NOW })
        .thenThrows(BotNotFoundError, (e) => expect((e as BotNotFoundError).code).toBe('USERS.BOT_NOT_FOUND'));
      spec
        .given([])
        .when({ type: 'SetFeatureFlag', botId: BOT, flag: 'referrals', enabled: true, changedBy: 'operator', now: NOW })
        .thenThrows(BotNotFoundError);
    });
  });

  describe('when it is registered', () => {
    it('refuses a second registration of the stream', () => {
      spec.given([registered]).when(register).thenThrows(BotAlreadyRegisteredError);
    });

    it('records nothing when activated again', () => {
      spec.given([registered]).when({ type: 'ActivateBot', botId: BOT, now: LATER }).then([]);
    });

    it('deactivates it with the reason, and a second deactivation records nothing', () => {
      spec.given([registered]).when({ type: 'DeactivateBot', botId: BOT, reason: 'abuse', now: NOW }).then([deactivated]);
      spec.given([registered, deactivated]).when({ type: 'DeactivateBot', botId: BOT, now: LATER }).then([]);
    });

    it('activates a deactivated bot', () => {
      spec
        .given([registered, deactivated])
        .when({ type: 'ActivateBot', botId: BOT, now: LATER })
        .then([{ type: 'BotActivated', data: { botId: BOT, activatedAt: LATER } }]);
    });

    it('rotates the token of the same Telegram bot and bumps the version each time', () => {
      const rotate = { type: 'RotateBotToken' as const, botId: BOT, telegramBotId: 123456789, encryptedToken: resealed, now: LATER };
      const rotated: BotEvent = { type: 'BotTokenRotated', data: { botId: BOT, tokenVersion: 2, encryptedToken: resealed, rotatedAt: LATER } };
      spec.given([registered]).when(rotate).then([rotated]);
      spec
        .given([registered, rotated])
        .when(rotate)
        .then([{ type: 'BotTokenRotated', data: { botId: BOT, tokenVersion: 3, encryptedToken: resealed, rotatedAt: LATER } }]);
    });

    it('refuses a new token of another Telegram bot', () => {
      spec
        .given([registered])
        .when({ type: 'RotateBotToken', botId: BOT, telegramBotId: 987654321, encryptedToken: resealed, now: LATER })
        .thenThrows(InvalidBotTokenError, (e) => expect((e as InvalidBotTokenError).code).toBe('USERS.INVALID_BOT_TOKEN'));
    });

    it('reissues the API token, naming the one it replaces', () => {
      spec
        .given([registered])
        .when({ type: 'ReissueApiToken', botId: BOT, apiTokenId: 'wxyz6789', apiTokenHash: 'e'.repeat(64), now: LATER })
        .then([
          {
            type: 'ApiTokenReissued',
            data: { botId: BOT, apiTokenId: 'wxyz6789', apiTokenHash: 'e'.repeat(64), previousApiTokenId: 'abcd2345', reissuedAt: LATER },
          },
        ]);
    });
  });

  describe('feature flags', () => {
    const enable = { type: 'SetFeatureFlag' as const, botId: BOT, flag: 'payments.stars', enabled: true, changedBy: 'telegram:42', now: LATER };
    const enabled: BotEvent = {
      type: 'BotFeatureFlagChanged',
      data: { botId: BOT, flag: 'payments.stars', enabled: true, previous: false, changedBy: 'telegram:42', changedAt: LATER },
    };

    it('switches a flag on, with its previous value', () => {
      spec.given([registered]).when(enable).then([enabled]);
    });

    it('records nothing when the flag already has the value (a never-set flag is off)', () => {
      spec.given([registered, enabled]).when(enable).then([]);
      spec
        .given([registered])
        .when({ ...enable, enabled: false })
        .then([]);
    });

    it('switches it off again', () => {
      spec
        .given([registered, enabled])
        .when({ ...enable, enabled: false })
        .then([{ type: 'BotFeatureFlagChanged', data: { ...enabled.data, enabled: false, previous: true } as never }]);
    });

    it('refuses a flag name that is not lower-case dotted words', () => {
      spec
        .given([registered])
        .when({ ...enable, flag: 'Payments Stars' })
        .thenThrows(InvalidFeatureFlagError);
    });
  });

  describe('settings', () => {
    it('writes a new custom setting with its type and description', () => {
      spec
        .given([registered])
        .when(setSetting({ settingType: 'string', description: 'Greeting' }))
        .then([settingChanged({})]);
    });

    it('needs a type and a description the first time a custom key is written', () => {
      spec
        .given([registered])
        .when(setSetting({ description: 'Greeting' }))
        .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toMatch(/type/));
      spec
        .given([registered])
        .when(setSetting({ settingType: 'string' }))
        .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toMatch(/description/));
    });

    it('keeps the type of the first write: a later value or declared type of another type is refused', () => {
      const first = settingChanged({});
      spec
        .given([registered, first])
        .when(setSetting({ valueJson: '5' }))
        .thenThrows(SettingTypeMismatchError);
      spec
        .given([registered, first])
        .when(setSetting({ settingType: 'int', valueJson: '5' }))
        .thenThrows(SettingTypeMismatchError);
    });

    it('changes a value with its previous one, keeping the description', () => {
      spec
        .given([registered, settingChanged({})])
        .when(setSetting({ valueJson: '"hello"' }))
        .then([settingChanged({ value: 'hello', previous: 'hi' })]);
    });

    it('records nothing for an unchanged value (json compared by value, not by text)', () => {
      spec
        .given([registered, settingChanged({})])
        .when(setSetting({ valueJson: '"hi"' }))
        .then([]);
      const json = settingChanged({ key: 'menu', type: 'json', value: { a: 1, b: [true] }, description: 'Menu' });
      spec
        .given([registered, json])
        .when(setSetting({ key: 'menu', valueJson: '{ "b": [true], "a": 1 }' }))
        .then([]);
    });

    it('refuses a value that is not JSON, with the reason', () => {
      spec
        .given([registered])
        .when(setSetting({ settingType: 'string', description: 'Greeting', valueJson: 'hi' }))
        .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toBe('the value is not JSON'));
    });

    it('knows timezone from the registration, so setting the same zone records nothing', () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'timezone', valueJson: '"Europe/Berlin"' }))
        .then([]);
    });

    it('validates the built-in timezone and keeps its fixed type', () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'timezone', valueJson: '"Mars/Olympus"' }))
        .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toMatch(/time zone/));
      spec
        .given([registered])
        .when(setSetting({ key: 'timezone', settingType: 'int', valueJson: '3' }))
        .thenThrows(SettingTypeMismatchError);
      spec
        .given([registered])
        .when(setSetting({ key: 'timezone', valueJson: '"+03:00"' }))
        .thenThrows(InvalidSettingError);
    });

    it('takes a built-in quota without a description and refuses negative or fractional ones', () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'quota.daily.plan.pro', valueJson: '100' }))
        .then([
          settingChanged({
            key: 'quota.daily.plan.pro',
            type: 'int',
            value: 100,
            description: 'Daily usage quota of members on the plan "pro"; no setting means unlimited',
          }),
        ]);
      spec
        .given([registered])
        .when(setSetting({ key: 'quota.daily.user', valueJson: '-1' }))
        .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toMatch(/negative/));
      spec
        .given([registered])
        .when(setSetting({ key: 'quota.daily.user', valueJson: '1.5' }))
        .thenThrows(SettingTypeMismatchError);
      spec
        .given([registered])
        .when(setSetting({ key: 'quota.daily.user', valueJson: '"10"' }))
        .thenThrows(SettingTypeMismatchError);
    });

    it("validates the subscriptions service's reminder days as a short list of whole days", () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'subscriptions.reminder_days', valueJson: '[7, 1]' }))
        .then([
          settingChanged({
            key: 'subscriptions.reminder_days',
            type: 'json',
            value: [7, 1],
            description: 'Days before the end of a subscription period its member is reminded, e.g. [3, 1]; [] for none',
          }),
        ]);
      for (const valueJson of ['[0]', '[1.5]', '[400]', '["3"]', '{"days": 3}', '[1, 2, 3, 4, 5, 6]']) {
        spec
          .given([registered])
          .when(setSetting({ key: 'subscriptions.reminder_days', valueJson }))
          .thenThrows(InvalidSettingError, (e) => expect((e as InvalidSettingError).reason).toMatch(/whole days/));
      }
    });

    it('reserves quota.* for the built-in quota keys and checks default_language', () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'quota.weekly', settingType: 'int', valueJson: '1', description: 'x' }))
        .thenThrows(InvalidSettingError);
      spec
        .given([registered])
        .when(setSetting({ key: 'default_language', valueJson: '"English"' }))
        .thenThrows(InvalidSettingError);
      spec
        .given([registered])
        .when(setSetting({ key: 'default_language', valueJson: '"ru"' }))
        .then([settingChanged({ key: 'default_language', value: 'ru', description: 'Language of users whose Telegram language the bot does not speak' })]);
    });

    it('refuses malformed keys and null values', () => {
      spec
        .given([registered])
        .when(setSetting({ key: 'Bad Key', settingType: 'string', description: 'x' }))
        .thenThrows(InvalidSettingError);
      spec
        .given([registered])
        .when(setSetting({ key: 'extra', settingType: 'json', description: 'x', valueJson: 'null' }))
        .thenThrows(SettingTypeMismatchError);
    });
  });
});
