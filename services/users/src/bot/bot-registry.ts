import { correlationIdOrNew } from '@botplatform/bus';
import type { BotConfigJson, BotCredentialsJson, BotSummaryJson, SettingTypeJson } from '@botplatform/contracts';
import { CommandHandler, type Actor, type EventContext, type PostgresEventStore } from '@botplatform/event-store';
import { Logger } from '@nestjs/common';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { auditProjection } from '../audit/audit.projection.js';
import { botsProjection } from './bots.projection.js';
import { apiTokenSecretMatches, issueApiToken, parseApiToken } from './api-token.js';
import { BotAlreadyRegisteredError, BotNotFoundError, ForbiddenTenantError, InvalidBotTokenError, NotAnAdminError } from './bot.errors.js';
import { botDecider, botStreamId, type BotCommand, type BotEvent, type BotState } from './bot.decider.js';
import { BotFeatureFlag } from './bot-feature-flag.entity.js';
import { BotSettingValue } from './bot-setting-value.entity.js';
import type { SettingValueType } from './bot-settings.js';
import { parseBotToken } from './bot-token.js';
import type { BotTokenCipher } from './bot-token-cipher.js';
import { RegisteredBot } from './registered-bot.entity.js';
import type { BotTokenCheck } from './telegram-token-check.js';

/** What the bot commands project in the transaction of their append: the bots' read model, and the audit log of admin changes. */
const BOT_PROJECTIONS = [botsProjection, auditProjection];

export interface RegisterBotInput {
  readonly name: string;
  /** The BotFather token, in clear only until it is sealed here. */
  readonly token: string;
  readonly ownerTelegramUserId: number;
  /** IANA zone, 'UTC' when absent. */
  readonly timezone?: string;
}

export interface SetSettingInput {
  readonly key: string;
  readonly type?: SettingValueType;
  readonly valueJson: string;
  readonly description?: string;
}

/** Who asks for a change: "operator", "api:<token id>" or "telegram:<Telegram user id>". */
export type Requester = string;

/**
 * Decides whether a Telegram user may change a bot's flags and settings (an admin or the owner in it).
 * The membership read model belongs to the user/ slice; the registry only asks.
 */
export type BotAdminCheck = (botId: string, telegramUserId: number, em: EntityManager) => Promise<boolean>;

export const SETTING_TYPE_JSON: Readonly<Record<SettingValueType, SettingTypeJson>> = {
  string: 'SETTING_TYPE_STRING',
  int: 'SETTING_TYPE_INT',
  bool: 'SETTING_TYPE_BOOL',
  json: 'SETTING_TYPE_JSON',
};

/**
 * The bot registry's use cases, shared by the `rpc.users.*` controllers and the HTTP admin API: every
 * change goes through the bot decider (read models updated in the append's transaction), every query
 * reads the read models. Secrets are sealed or hashed here, before a command is built.
 */
export class BotRegistry {
  private readonly logger = new Logger('BotRegistry');
  private readonly commands: CommandHandler<BotState, BotCommand, BotEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly em: EntityManager,
    private readonly cipher: BotTokenCipher,
    private readonly isBotAdmin: BotAdminCheck = async () => false,
    /**
     * Asks Telegram about a token before it is stored (registration and rotation). Absent only when the
     * users service runs without a Bot API address (its own tests, registerTestBot): tokens are then
     * checked for their shape alone. The platform always gives one.
     */
    private readonly checkToken?: BotTokenCheck,
  ) {
    this.commands = new CommandHandler(store, botDecider, { projections: BOT_PROJECTIONS });
  }

  /** Registers a bot (active from the start); the API token in the answer is never shown again. */
  async register(input: RegisterBotInput, requestedBy: Requester = 'operator'): Promise<{ botId: string; apiToken: string }> {
    const { telegramBotId } = parseBotToken(input.token);
    const em = this.em.fork();
    if (await em.count(RegisteredBot, { telegramBotId: String(telegramBotId) })) throw new BotAlreadyRegisteredError(telegramBotId);
    // After the cheap refusals, so a restart that registers its bot again does not need Telegram.
    await this.checkToken?.(input.token, telegramBotId);
    const botId = randomUUID();
    const apiToken = issueApiToken();
    const now = new Date();
    try {
      await this.commands.handle(
        botStreamId(botId),
        {
          type: 'RegisterBot',
          botId,
          name: input.name,
          telegramBotId,
          ownerTelegramUserId: input.ownerTelegramUserId,
          encryptedToken: this.cipher.encrypt(input.token),
          apiTokenId: apiToken.tokenId,
          apiTokenHash: apiToken.hash,
          timezone: input.timezone ?? 'UTC',
          now: now.toISOString(),
        },
        this.context(botId, requestedBy, now),
      );
    } catch (error) {
      // Two registrations of one Telegram bot racing past the check above: the read model's unique key decides.
      if (error instanceof UniqueConstraintViolationException && /telegram_bot_id/.test(error.message)) {
        throw new BotAlreadyRegisteredError(telegramBotId);
      }
      throw error;
    }
    return { botId, apiToken: apiToken.token };
  }

  /** Serves the bot again; `changed` is false when it already was active. */
  activate(botId: string, requestedBy: Requester): Promise<{ bot: BotSummaryJson; changed: boolean }> {
    return this.change(botId, requestedBy, (now) => ({ type: 'ActivateBot', botId, now }));
  }

  /** Stops serving the bot and keeps its data; `changed` is false when it already was inactive. */
  deactivate(botId: string, requestedBy: Requester, reason?: string): Promise<{ bot: BotSummaryJson; changed: boolean }> {
    return this.change(botId, requestedBy, (now) => ({ type: 'DeactivateBot', botId, ...(reason ? { reason } : {}), now }));
  }

  /**
   * Replaces the Telegram token with a new one of the same Telegram bot. The same token again changes
   * nothing (the gateway would otherwise restart the bot for no reason).
   */
  async rotateToken(botId: string, requestedBy: Requester, token: string): Promise<{ bot: BotSummaryJson; changed: boolean }> {
    const { telegramBotId } = parseBotToken(token);
    const current = await this.requireBot(botId);
    if (this.cipher.decrypt(sealedTokenOf(current)) === token) return { bot: summaryOf(current), changed: false };
    // Both before Telegram is asked: a requester who may not rotate learns nothing from getMe, and
    // another bot's token (which the decider refuses too) costs no question.
    await this.authorize(current, requestedBy, false, this.em.fork());
    if (String(telegramBotId) !== String(current.telegramBotId)) {
      throw new InvalidBotTokenError(`the new token belongs to another Telegram bot than ${current.telegramBotId}`);
    }
    await this.checkToken?.(token, telegramBotId);
    return this.change(botId, requestedBy, (now) => ({
      type: 'RotateBotToken',
      botId,
      telegramBotId,
      encryptedToken: this.cipher.encrypt(token),
      now,
    }));
  }

  /** Issues a new API token for the bot; the previous one stops working at once. */
  async reissueApiToken(botId: string, requestedBy: Requester): Promise<{ botId: string; apiToken: string }> {
    const apiToken = issueApiToken();
    await this.change(botId, requestedBy, (now) => ({
      type: 'ReissueApiToken',
      botId,
      apiTokenId: apiToken.tokenId,
      apiTokenHash: apiToken.hash,
      now,
    }));
    return { botId, apiToken: apiToken.token };
  }

  /** Switches a flag; nothing is recorded when it already had that value. Returns the bot's config after. */
  async setFeatureFlag(botId: string, flag: string, enabled: boolean, changedBy: Requester): Promise<BotConfigJson> {
    await this.change(botId, changedBy, (now) => ({ type: 'SetFeatureFlag', botId, flag, enabled, changedBy, now }), { adminMayAct: true });
    return this.config(botId);
  }

  /** Writes a typed setting after validating it; nothing is recorded for an unchanged value. Returns the config after. */
  async setSetting(botId: string, input: SetSettingInput, changedBy: Requester): Promise<BotConfigJson> {
    await this.change(
      botId,
      changedBy,
      (now) => ({
        type: 'SetSetting',
        botId,
        key: input.key,
        ...(input.type ? { settingType: input.type } : {}),
        valueJson: input.valueJson,
        ...(input.description !== undefined ? { description: input.description } : {}),
        changedBy,
        now,
      }),
      { adminMayAct: true },
    );
    return this.config(botId);
  }

  /** Every bot (or only the active ones), oldest first, without secrets. */
  async list(options: { activeOnly?: boolean } = {}): Promise<BotSummaryJson[]> {
    const bots = await this.em.fork().find(RegisteredBot, options.activeOnly ? { active: true } : {}, { orderBy: { registeredAt: 'asc', botId: 'asc' } });
    return bots.map(summaryOf);
  }

  /** One bot without secrets; throws BotNotFoundError. */
  async summary(botId: string): Promise<BotSummaryJson> {
    return summaryOf(await this.requireBot(botId));
  }

  /** A bot's flags and settings; throws BotNotFoundError. */
  async config(botId: string): Promise<BotConfigJson> {
    const em = this.em.fork();
    await this.requireBot(botId, em);
    const flags = await em.find(BotFeatureFlag, { botId }, { orderBy: { flag: 'asc' } });
    const settings = await em.find(BotSettingValue, { botId }, { orderBy: { key: 'asc' } });
    return {
      botId,
      flags: Object.fromEntries(flags.map((f) => [f.flag, f.enabled])),
      settings: settings.map((s) => ({ key: s.key, type: SETTING_TYPE_JSON[s.type], valueJson: s.valueJson, description: s.description })),
    };
  }

  /**
   * The Telegram tokens in clear, for the gateway only: one bot (whatever its state), or every active
   * bot. A bot whose token cannot be opened (its key was removed) is left out of the list and logged.
   */
  async credentials(botId?: string): Promise<BotCredentialsJson[]> {
    if (botId !== undefined) {
      const bot = await this.requireBot(botId);
      return [{ ...credentialsOf(bot), token: this.cipher.decrypt(sealedTokenOf(bot)) }];
    }
    const bots = await this.em.fork().find(RegisteredBot, { active: true }, { orderBy: { registeredAt: 'asc', botId: 'asc' } });
    const answer: BotCredentialsJson[] = [];
    for (const bot of bots) {
      try {
        answer.push({ ...credentialsOf(bot), token: this.cipher.decrypt(sealedTokenOf(bot)) });
      } catch (error) {
        this.logger.error(`bot ${bot.botId}: its token cannot be opened (${(error as Error).message}); it is left out`);
      }
    }
    return answer;
  }

  /**
   * The bot and token id an admin API token (`bp_<id>_<secret>`) belongs to, or null when it is
   * malformed, unknown, reissued or wrong. The secret's hash is compared in constant time.
   */
  async authenticateApiToken(token: string): Promise<{ botId: string; tokenId: string } | null> {
    const parsed = parseApiToken(token);
    if (!parsed) return null;
    const bot = await this.em.fork().findOne(RegisteredBot, { apiTokenId: parsed.tokenId });
    if (!bot || !apiTokenSecretMatches(parsed.secret, bot.apiTokenHash)) return null;
    return { botId: bot.botId, tokenId: parsed.tokenId };
  }

  private async change(
    botId: string,
    requestedBy: Requester,
    command: (now: string) => BotCommand,
    { adminMayAct = false }: { adminMayAct?: boolean } = {},
  ): Promise<{ bot: BotSummaryJson; changed: boolean }> {
    const em = this.em.fork();
    const bot = await this.requireBot(botId, em);
    await this.authorize(bot, requestedBy, adminMayAct, em);
    const now = new Date();
    const result = await this.commands.handle(botStreamId(botId), command(now.toISOString()), this.context(botId, requestedBy, now));
    return { bot: summaryOf(await this.requireBot(botId)), changed: result.newEvents.length > 0 };
  }

  /**
   * Requesters are named by the caller (the admin API or the gateway, both inside the platform); the
   * registry still checks that an API token id is this bot's current one and that a Telegram user
   * is an admin of this bot, so an action is never recorded against the wrong tenant.
   */
  private async authorize(bot: RegisteredBot, requestedBy: Requester, adminMayAct: boolean, em: EntityManager): Promise<void> {
    if (requestedBy === 'operator') return;
    if (requestedBy.startsWith('api:')) {
      if (requestedBy.slice(4) !== bot.apiTokenId) throw new ForbiddenTenantError();
      return;
    }
    const telegram = /^telegram:([1-9][0-9]{0,15})$/.exec(requestedBy);
    if (adminMayAct && telegram) {
      const telegramUserId = Number(telegram[1]);
      if (String(telegramUserId) === bot.ownerTelegramUserId || (await this.isBotAdmin(bot.botId, telegramUserId, em))) return;
      throw new NotAnAdminError(bot.botId, requestedBy);
    }
    throw new ForbiddenTenantError();
  }

  private async requireBot(botId: string, em: EntityManager = this.em.fork()): Promise<RegisteredBot> {
    const bot = UUID.test(botId) ? await em.findOne(RegisteredBot, { botId }, { disableIdentityMap: true }) : null;
    if (!bot) throw new BotNotFoundError(botId);
    return bot;
  }

  private context(botId: string, requestedBy: Requester, now: Date): EventContext {
    return { botId, correlationId: correlationIdOrNew(randomUUID), causationId: null, actor: actorOf(requestedBy), occurredAt: now };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every requester of the registry acts as an admin (see USERS.md: actors). */
function actorOf(requestedBy: Requester): Actor {
  return { kind: 'admin', id: requestedBy };
}

function summaryOf(bot: RegisteredBot): BotSummaryJson {
  return {
    botId: bot.botId,
    name: bot.name,
    ownerTelegramUserId: String(bot.ownerTelegramUserId),
    active: bot.active,
    tokenVersion: bot.tokenVersion,
    registeredAt: new Date(bot.registeredAt).toISOString(),
  };
}

function credentialsOf(bot: RegisteredBot): Omit<BotCredentialsJson, 'token'> {
  return { botId: bot.botId, name: bot.name, tokenVersion: bot.tokenVersion, active: bot.active };
}

function sealedTokenOf(bot: RegisteredBot) {
  return { keyId: bot.tokenKeyId, iv: bot.tokenIv, ciphertext: bot.tokenCiphertext, tag: bot.tokenTag };
}
