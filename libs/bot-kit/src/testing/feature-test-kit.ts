import type { RpcClient } from '@botplatform/bus';
import type { BotFeatureDeclarationJson, MemberContextJson, MemberJson, RoleJson } from '@botplatform/contracts';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { Bot, session, type Context, type SessionFlavor } from 'grammy';
import type { User } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { type FeatureSessionData, rpcFeatureCall, routeToFeatures } from '../gateway/feature-routing.js';
import { checkFeatureDeclaration } from '../routing/feature-declaration.js';
import { RoutingTable } from '../routing/routing-table.js';

/** Who a sender is in a kit bot: the member the gateway would put in the context. */
export type KitMemberSource = (bot: { readonly botId: string; readonly name: string }, from: User) => Promise<MemberJson> | MemberJson;

export interface FeatureTestKitOptions {
  /** Reaches the service(s) under test: their `rpc.<service>.handle-bot-update`. */
  readonly rpc: Pick<RpcClient, 'call'>;
  /** What the services declare, read on every update (a router's `declaration()`, or several). */
  readonly declarations: () => readonly BotFeatureDeclarationJson[];
  /**
   * The member behind each sender. Default: a plain member (or the role `KitBot.setRole` gave them),
   * named as Telegram names them; a test of the users service can ask that service instead.
   */
  readonly members?: KitMemberSource;
  /** How long a service has to answer (default: the gateway's). */
  readonly deadlineMs?: number;
  readonly timeZone?: string;
}

/** A bot of the kit, hosted against the sandbox with only the protocol's routing in front of it. */
export interface KitBot {
  readonly botId: string;
  readonly name: string;
  readonly telegram: SandboxBot;
  /** The user's private chat with this bot. */
  chat(user: SandboxUser): SandboxChat;
  /** The role the default member source gives this user in this bot. */
  setRole(user: SandboxUser, role: RoleJson): void;
  /** Turns a feature flag of this bot on or off (routes waiting on an absent flag are not taken). */
  setFlag(flag: string, enabled: boolean): void;
}

type KitContext = Context & SessionFlavor<FeatureSessionData>;

/** What the kit answers when a service fails, so a test can wait for it. */
export const KIT_TRY_AGAIN = 'Please try again in a moment.';

/**
 * Drives a service's bot features through the Telegram sandbox as a member would, without the gateway:
 * each kit bot runs grammY against the sandbox with the protocol's own routing (`routeToFeatures`, the
 * same middleware the gateway runs after its identity, block and rate-limit checks), so what a test sees
 * is what the service answered and the gateway would perform.
 *
 * ```ts
 * const kit = await FeatureTestKit.start({ rpc, declarations: () => [router.declaration()] });
 * const shop = await kit.bot({ name: 'Shop' });
 * const chat = shop.chat(kit.user('Ann', 'ru'));
 * chat.sendCommand('plans');
 * await chat.waitForMessage((m) => m.text === 'Тарифы');
 * ```
 */
export class FeatureTestKit {
  /** Routed updates that failed (deadline, no responder, refused actions), as the gateway would log them. */
  readonly errors: string[] = [];
  private readonly bots: Bot<KitContext>[] = [];
  private readonly roles = new Map<string, RoleJson>();
  private readonly flags = new Map<string, Record<string, boolean>>();
  private cachedTable: { readonly key: string; readonly table: RoutingTable } | undefined;

  private constructor(
    readonly sandbox: TelegramSandbox,
    private readonly options: FeatureTestKitOptions,
  ) {}

  static async start(options: FeatureTestKitOptions): Promise<FeatureTestKit> {
    const sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    return new FeatureTestKit(sandbox, options);
  }

  /** A sandbox user; `languageCode` is what their Telegram client reports. */
  user(firstName: string, languageCode = 'en', extra: { username?: string; lastName?: string } = {}): SandboxUser {
    return this.sandbox.createUser({ firstName, languageCode, ...extra });
  }

  /** Registers a bot in the sandbox and starts polling it. */
  async bot(input: { readonly botId?: string; readonly name?: string } = {}): Promise<KitBot> {
    const botId = input.botId ?? randomUUID();
    const name = input.name ?? 'Kit Bot';
    const telegram = this.sandbox.createBot({ username: `kit_${botId.replaceAll('-', '').slice(0, 12)}_bot`, firstName: name });
    const bot = new Bot<KitContext>(telegram.token, { client: { apiRoot: this.sandbox.apiRoot } });
    const members = this.options.members ?? ((_bot, from) => this.defaultMember(botId, from));
    // Keyed as the gateway keys it: a pre-checkout query or a subscription update has no chat, but belongs
    // to the private chat of its sender (grammY's default key would throw on them).
    bot.use(session({ initial: (): FeatureSessionData => ({}), getSessionKey: kitSessionKey }));
    bot.use(
      routeToFeatures<KitContext>({
        table: () => this.table(),
        flags: () => this.flags.get(botId) ?? {},
        call: rpcFeatureCall(this.options.rpc),
        memberContext: async (ctx): Promise<MemberContextJson> => {
          const member = await members({ botId, name }, ctx.from!);
          return {
            botId,
            botName: name,
            ...(ctx.me?.username ? { botUsername: ctx.me.username } : {}),
            member,
            language: member.languageOverride ?? ctx.from?.language_code ?? 'en',
            timeZone: this.options.timeZone ?? 'UTC',
          };
        },
        session: (ctx) => ctx.session,
        tryAgainText: () => KIT_TRY_AGAIN,
        logger: { error: (message) => this.errors.push(message), warn: (message) => this.errors.push(message) },
        ...(this.options.deadlineMs ? { deadlineMs: this.options.deadlineMs } : {}),
      }),
    );
    // What no service owns gets no answer, as in the gateway; a press is still answered so it stops spinning.
    bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());
    bot.catch((error) => {
      this.errors.push(`unhandled: ${error.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      bot.start({ timeout: 30, onStart: () => resolve() }).catch(reject);
    });
    this.bots.push(bot);
    return {
      botId,
      name,
      telegram,
      chat: (user) => this.sandbox.chat(user, telegram),
      setRole: (user, role) => this.roles.set(`${botId}:${user.id}`, role),
      setFlag: (flag, enabled) => this.flags.set(botId, { ...(this.flags.get(botId) ?? {}), [flag]: enabled }),
    };
  }

  async close(): Promise<void> {
    for (const bot of this.bots.splice(0)) if (bot.isRunning()) await bot.stop();
    await this.sandbox.stop();
  }

  private defaultMember(botId: string, from: User): MemberJson {
    return {
      userId: `telegram-${from.id}`,
      telegramUserId: String(from.id),
      firstName: from.first_name,
      ...(from.last_name ? { lastName: from.last_name } : {}),
      ...(from.username ? { username: from.username } : {}),
      role: this.roles.get(`${botId}:${from.id}`) ?? 'ROLE_USER',
    };
  }

  /** The table of the declarations in force, rebuilt only when they change. */
  private table(): RoutingTable {
    const declarations = this.options.declarations();
    const key = JSON.stringify(declarations);
    if (this.cachedTable?.key === key) return this.cachedTable.table;
    let table = new RoutingTable();
    for (const declaration of declarations) table = table.with(checkFeatureDeclaration(declaration));
    this.cachedTable = { key, table };
    return table;
  }
}

/** The chat of the update, or the private chat of who sent a pre-checkout query or a subscription change. */
function kitSessionKey(ctx: Context): string | undefined {
  const privateSender = ctx.update.pre_checkout_query?.from ?? ctx.update.subscription?.user;
  return (ctx.chat?.id ?? privateSender?.id)?.toString();
}
