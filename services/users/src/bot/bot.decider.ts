import type { Decider, DomainEvent } from '@botplatform/event-store';
import { BotAlreadyRegisteredError, BotNotFoundError, InvalidBotTokenError, InvalidFeatureFlagError } from './bot.errors.js';
import { assertTimezone, builtInDescription, sameJson, validateSettingWrite, type SettingValue, type SettingValueType } from './bot-settings.js';

/** A Telegram token as stored: AES-256-GCM output, base64 fields, and the id of the key that sealed it. */
export interface EncryptedToken {
  readonly keyId: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

// ----- commands: time, ids, the sealed token and the API token's hash are computed by the handler -----

export interface RegisterBot {
  readonly type: 'RegisterBot';
  readonly botId: string;
  readonly name: string;
  /** The numeric part of the token before ':' (not secret: it is the bot's public Telegram id). */
  readonly telegramBotId: number;
  readonly ownerTelegramUserId: number;
  readonly encryptedToken: EncryptedToken;
  readonly apiTokenId: string;
  readonly apiTokenHash: string;
  readonly timezone: string;
  readonly now: string;
}

export interface ActivateBot {
  readonly type: 'ActivateBot';
  readonly botId: string;
  readonly now: string;
}

export interface DeactivateBot {
  readonly type: 'DeactivateBot';
  readonly botId: string;
  readonly reason?: string;
  readonly now: string;
}

export interface RotateBotToken {
  readonly type: 'RotateBotToken';
  readonly botId: string;
  /** The numeric prefix of the new token: it must be the same Telegram bot. */
  readonly telegramBotId: number;
  readonly encryptedToken: EncryptedToken;
  readonly now: string;
}

export interface ReissueApiToken {
  readonly type: 'ReissueApiToken';
  readonly botId: string;
  readonly apiTokenId: string;
  readonly apiTokenHash: string;
  readonly now: string;
}

export interface SetFeatureFlag {
  readonly type: 'SetFeatureFlag';
  readonly botId: string;
  readonly flag: string;
  readonly enabled: boolean;
  /** "telegram:<id>", "api:<token id>" or "operator". */
  readonly changedBy: string;
  readonly now: string;
}

export interface SetSetting {
  readonly type: 'SetSetting';
  readonly botId: string;
  readonly key: string;
  readonly settingType?: SettingValueType;
  readonly valueJson: string;
  readonly description?: string;
  readonly changedBy: string;
  readonly now: string;
}

export type BotCommand = RegisterBot | ActivateBot | DeactivateBot | RotateBotToken | ReissueApiToken | SetFeatureFlag | SetSetting;

// ----- events (stream bot-<botId>); only BotRegistered, BotTokenRotated and ApiTokenReissued hold secrets, sealed or hashed -----

export type BotRegistered = DomainEvent<
  'BotRegistered',
  {
    botId: string;
    name: string;
    telegramBotId: number;
    ownerTelegramUserId: number;
    tokenVersion: number;
    encryptedToken: EncryptedToken;
    apiTokenId: string;
    apiTokenHash: string;
    timezone: string;
    registeredAt: string;
  }
>;
export type BotActivated = DomainEvent<'BotActivated', { botId: string; activatedAt: string }>;
export type BotDeactivated = DomainEvent<'BotDeactivated', { botId: string; reason?: string; deactivatedAt: string }>;
export type BotTokenRotated = DomainEvent<'BotTokenRotated', { botId: string; tokenVersion: number; encryptedToken: EncryptedToken; rotatedAt: string }>;
export type ApiTokenReissued = DomainEvent<
  'ApiTokenReissued',
  { botId: string; apiTokenId: string; apiTokenHash: string; previousApiTokenId: string; reissuedAt: string }
>;
export type BotFeatureFlagChanged = DomainEvent<
  'BotFeatureFlagChanged',
  { botId: string; flag: string; enabled: boolean; previous: boolean; changedBy: string; changedAt: string }
>;
export type BotSettingChanged = DomainEvent<
  'BotSettingChanged',
  {
    botId: string;
    key: string;
    type: SettingValueType;
    value: unknown;
    /** Absent on the first write of the key. */
    previous?: unknown;
    description: string;
    changedBy: string;
    changedAt: string;
  }
>;

export type BotEvent = BotRegistered | BotActivated | BotDeactivated | BotTokenRotated | ApiTokenReissued | BotFeatureFlagChanged | BotSettingChanged;

export const BOT_EVENT_TYPES: readonly BotEvent['type'][] = [
  'BotRegistered',
  'BotActivated',
  'BotDeactivated',
  'BotTokenRotated',
  'ApiTokenReissued',
  'BotFeatureFlagChanged',
  'BotSettingChanged',
];

export type BotState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly botId: string;
      readonly telegramBotId: number;
      readonly active: boolean;
      readonly tokenVersion: number;
      readonly apiTokenId: string;
      readonly flags: Readonly<Record<string, boolean>>;
      readonly settings: Readonly<Record<string, SettingValue>>;
    };

type Registered = Extract<BotState, { status: 'registered' }>;

/** Lower-case dotted words, e.g. `referrals` or `payments.stars`. */
export const FEATURE_FLAG = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** The stream of one bot. */
export const botStreamId = (botId: string): string => `bot-${botId}`;

const registered = (state: BotState, botId: string): Registered => {
  if (state.status !== 'registered') throw new BotNotFoundError(botId);
  return state;
};

/**
 * A bot: the platform's tenant. Its Telegram token arrives sealed and its API token hashed, so nothing
 * here ever sees a secret. Asking for the state it already has decides nothing (no event), which makes
 * every command safe to repeat.
 */
export const botDecider: Decider<BotState, BotCommand, BotEvent> = {
  initialState: () => ({ status: 'unregistered' }),

  evolve: (state, event) => {
    if (event.type === 'BotRegistered') {
      const { data } = event;
      return {
        status: 'registered',
        botId: data.botId,
        telegramBotId: data.telegramBotId,
        active: true,
        tokenVersion: data.tokenVersion,
        apiTokenId: data.apiTokenId,
        flags: {},
        settings: { timezone: { type: 'string', value: data.timezone, description: builtInDescription('timezone')! } },
      };
    }
    if (state.status !== 'registered') return state;
    switch (event.type) {
      case 'BotActivated':
        return { ...state, active: true };
      case 'BotDeactivated':
        return { ...state, active: false };
      case 'BotTokenRotated':
        return { ...state, tokenVersion: event.data.tokenVersion };
      case 'ApiTokenReissued':
        return { ...state, apiTokenId: event.data.apiTokenId };
      case 'BotFeatureFlagChanged':
        return { ...state, flags: { ...state.flags, [event.data.flag]: event.data.enabled } };
      case 'BotSettingChanged': {
        const { key, type, value, description } = event.data;
        return { ...state, settings: { ...state.settings, [key]: { type, value, description } } };
      }
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterBot': {
        if (state.status === 'registered') throw new BotAlreadyRegisteredError(state.telegramBotId);
        assertTimezone(command.timezone);
        return [
          {
            type: 'BotRegistered',
            data: {
              botId: command.botId,
              name: command.name,
              telegramBotId: command.telegramBotId,
              ownerTelegramUserId: command.ownerTelegramUserId,
              tokenVersion: 1,
              encryptedToken: command.encryptedToken,
              apiTokenId: command.apiTokenId,
              apiTokenHash: command.apiTokenHash,
              timezone: command.timezone,
              registeredAt: command.now,
            },
          },
        ];
      }
      case 'ActivateBot': {
        const bot = registered(state, command.botId);
        if (bot.active) return [];
        return [{ type: 'BotActivated', data: { botId: bot.botId, activatedAt: command.now } }];
      }
      case 'DeactivateBot': {
        const bot = registered(state, command.botId);
        if (!bot.active) return [];
        return [
          {
            type: 'BotDeactivated',
            data: { botId: bot.botId, ...(command.reason ? { reason: command.reason } : {}), deactivatedAt: command.now },
          },
        ];
      }
      case 'RotateBotToken': {
        const bot = registered(state, command.botId);
        if (command.telegramBotId !== bot.telegramBotId) {
          throw new InvalidBotTokenError(`the new token belongs to another Telegram bot than ${bot.telegramBotId}`);
        }
        return [
          {
            type: 'BotTokenRotated',
            data: { botId: bot.botId, tokenVersion: bot.tokenVersion + 1, encryptedToken: command.encryptedToken, rotatedAt: command.now },
          },
        ];
      }
      case 'ReissueApiToken': {
        const bot = registered(state, command.botId);
        return [
          {
            type: 'ApiTokenReissued',
            data: {
              botId: bot.botId,
              apiTokenId: command.apiTokenId,
              apiTokenHash: command.apiTokenHash,
              previousApiTokenId: bot.apiTokenId,
              reissuedAt: command.now,
            },
          },
        ];
      }
      case 'SetFeatureFlag': {
        const bot = registered(state, command.botId);
        if (command.flag.length > 100 || !FEATURE_FLAG.test(command.flag)) throw new InvalidFeatureFlagError(command.flag);
        // A flag never set is off: switching it off records nothing.
        const previous = bot.flags[command.flag] ?? false;
        if (previous === command.enabled) return [];
        return [
          {
            type: 'BotFeatureFlagChanged',
            data: {
              botId: bot.botId,
              flag: command.flag,
              enabled: command.enabled,
              previous,
              changedBy: command.changedBy,
              changedAt: command.now,
            },
          },
        ];
      }
      case 'SetSetting': {
        const bot = registered(state, command.botId);
        const current = Object.hasOwn(bot.settings, command.key) ? bot.settings[command.key] : undefined;
        const next = validateSettingWrite(
          {
            key: command.key,
            valueJson: command.valueJson,
            ...(command.settingType ? { type: command.settingType } : {}),
            ...(command.description !== undefined ? { description: command.description } : {}),
          },
          current,
        );
        if (current && sameJson(current.value, next.value) && current.description === next.description) return [];
        return [
          {
            type: 'BotSettingChanged',
            data: {
              botId: bot.botId,
              key: command.key,
              type: next.type,
              value: next.value,
              ...(current ? { previous: current.value } : {}),
              description: next.description,
              changedBy: command.changedBy,
              changedAt: command.now,
            },
          },
        ];
      }
    }
  },
};
