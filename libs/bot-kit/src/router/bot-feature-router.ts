import type { AudienceJson, BotActionsJson, BotFeatureDeclarationJson, BotUpdateJson, MessageKindJson, UpdateKindJson } from '@botplatform/contracts';
import { CallbackData } from '../routing/callback-data.js';
import { checkFeatureDeclaration, featureDeclarationToJson } from '../routing/feature-declaration.js';
import { FeatureContext, type Translate } from './feature-context.js';

/** A screen: reads the context, adds actions; what it returns is ignored (so `(ctx) => ctx.reply(…)` reads well). */
export type FeatureHandler = (ctx: FeatureContext) => unknown;

/** Who sees a command in the bot's menu; the handler still checks the member's role itself. */
export type CommandAudience = 'everyone' | 'admins' | 'owner';

export interface RouteOptions {
  /** Routed only while this flag of the bot is on. */
  readonly featureFlag?: string;
}

export interface CommandOptions extends RouteOptions {
  /** Menu and /help text per language code; `en` is required and is the fallback. */
  readonly description: Readonly<Record<string, string>> & { readonly en: string };
  readonly audience?: CommandAudience;
}

export type MessageKindName = 'photo' | 'document' | 'successful_payment' | 'refunded_payment';
export type UpdateKindName = 'pre_checkout_query' | 'subscription' | 'my_chat_member';

const MESSAGE_KINDS: Record<MessageKindName, MessageKindJson> = {
  photo: 'MESSAGE_KIND_PHOTO',
  document: 'MESSAGE_KIND_DOCUMENT',
  successful_payment: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
  refunded_payment: 'MESSAGE_KIND_REFUNDED_PAYMENT',
};
const UPDATE_KINDS: Record<UpdateKindName, UpdateKindJson> = {
  pre_checkout_query: 'UPDATE_KIND_PRE_CHECKOUT_QUERY',
  subscription: 'UPDATE_KIND_SUBSCRIPTION',
  my_chat_member: 'UPDATE_KIND_MY_CHAT_MEMBER',
};
const AUDIENCES: Record<CommandAudience, AudienceJson> = { everyone: 'AUDIENCE_EVERYONE', admins: 'AUDIENCE_ADMINS', owner: 'AUDIENCE_OWNER' };

/** An update whose trigger no handler of this router takes (an old declaration's, or a malformed one). */
export class UnroutedUpdateError extends Error {
  readonly code = 'BOT.UNROUTED_UPDATE';
  constructor(service: string, what: string) {
    super(`${service} has no handler for ${what}`);
    this.name = 'UnroutedUpdateError';
  }
}

interface Registered<Name extends string> {
  readonly name: Name;
  readonly handler: FeatureHandler;
  readonly featureFlag: string;
}

/**
 * A service's bot screens, written like a grammY composer: `command('plans', …)`, `callback('plans', …)`,
 * `step('plans:promo', …)`. It declares itself to the gateway from what is registered (`declaration()`)
 * and turns each routed `BotUpdate` into the actions its handler added (`handle()`). Registering after the
 * service started re-declares (listeners of `onChange`).
 */
export class BotFeatureRouter {
  private readonly commands = new Map<
    string,
    Registered<string> & { readonly description: CommandOptions['description']; readonly audience: CommandAudience }
  >();
  private readonly namespaces = new Map<string, Registered<string>>();
  private readonly steps = new Map<string, Registered<string>>();
  private readonly messageKinds = new Map<MessageKindJson, Registered<MessageKindJson>>();
  private readonly updateKinds = new Map<UpdateKindJson, Registered<UpdateKindJson>>();
  private readonly deepLinks = new Map<string, Registered<string>>();
  private readonly listeners = new Set<() => void>();

  constructor(
    /** The service answering `rpc.<service>.handle-bot-update`. */
    readonly service: string,
    private readonly options: { readonly translate?: Translate } = {},
  ) {}

  command(command: string, options: CommandOptions, handler: FeatureHandler): this {
    const name = command.replace(/^\//, '').toLowerCase();
    this.commands.set(name, {
      name,
      handler,
      featureFlag: options.featureFlag ?? '',
      description: options.description,
      audience: options.audience ?? 'everyone',
    });
    return this.changed();
  }

  /** Presses of buttons whose data starts with `<namespace>:`; `ctx.callback` has them decoded. */
  callback(namespace: string | CallbackData, handler: FeatureHandler, options: RouteOptions = {}): this {
    const name = typeof namespace === 'string' ? new CallbackData(namespace).namespace : namespace.namespace;
    this.namespaces.set(name, { name, handler, featureFlag: options.featureFlag ?? '' });
    return this.changed();
  }

  /** The answer to a question: the member's next message after `ctx.enterStep(step)`. `step` is `<namespace>:<name>`. */
  step(step: string, handler: FeatureHandler, options: RouteOptions = {}): this {
    this.steps.set(step, { name: step, handler, featureFlag: options.featureFlag ?? '' });
    return this.changed();
  }

  message(kind: MessageKindName, handler: FeatureHandler, options: RouteOptions = {}): this {
    const name = MESSAGE_KINDS[kind];
    this.messageKinds.set(name, { name, handler, featureFlag: options.featureFlag ?? '' });
    return this.changed();
  }

  update(kind: UpdateKindName, handler: FeatureHandler, options: RouteOptions = {}): this {
    const name = UPDATE_KINDS[kind];
    this.updateKinds.set(name, { name, handler, featureFlag: options.featureFlag ?? '' });
    return this.changed();
  }

  /**
   * `/start <prefix>_…` deep links (t.me/<bot>?start=promo_SPRING25): the gateway keeps /start, but routes a
   * payload whose word before the first "_" is `prefix` here; `ctx.command` is `start` with the whole payload.
   */
  deepLink(prefix: string, handler: FeatureHandler, options: RouteOptions = {}): this {
    this.deepLinks.set(prefix, { name: prefix, handler, featureFlag: options.featureFlag ?? '' });
    return this.changed();
  }

  /** Told when a route is added after the declaration was sent (the declarer sends it again). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What this router handles, as the gateway wants it; checked here first, so a malformed name fails in
   * the service's own tests rather than at the gateway.
   */
  declaration(): BotFeatureDeclarationJson {
    const flagOf = (featureFlag: string) => (featureFlag ? { featureFlag } : {});
    return featureDeclarationToJson(
      checkFeatureDeclaration({
        service: this.service,
        commands: [...this.commands.values()].map((c) => ({
          command: c.name,
          descriptions: { ...c.description },
          audience: AUDIENCES[c.audience],
          ...flagOf(c.featureFlag),
        })),
        callbackNamespaces: [...this.namespaces.values()].map((n) => ({ namespace: n.name, ...flagOf(n.featureFlag) })),
        steps: [...this.steps.values()].map((s) => ({ step: s.name, ...flagOf(s.featureFlag) })),
        messageKinds: [...this.messageKinds.values()].map((k) => ({ kind: k.name, ...flagOf(k.featureFlag) })),
        updateKinds: [...this.updateKinds.values()].map((k) => ({ kind: k.name, ...flagOf(k.featureFlag) })),
        deepLinks: [...this.deepLinks.values()].map((d) => ({ prefix: d.name, ...flagOf(d.featureFlag) })),
      }),
    );
  }

  /**
   * Runs the handler the update's trigger names and answers its actions. A button press the handler
   * left unanswered is answered (empty) so the member's client stops spinning.
   * @throws UnroutedUpdateError when nothing here takes the trigger.
   */
  async handle(update: BotUpdateJson): Promise<BotActionsJson> {
    const { handler, callback } = this.handlerFor(update);
    const ctx = new FeatureContext(update, this.options.translate, callback);
    await handler(ctx);
    if (update.callback && !ctx.has('answerCallback')) ctx.answerCallback();
    return { actions: ctx.finish() };
  }

  private handlerFor(update: BotUpdateJson): { handler: FeatureHandler; callback?: ConstructorParameters<typeof FeatureContext>[2] } {
    const missing = (what: string): never => {
      throw new UnroutedUpdateError(this.service, what);
    };
    if (update.command) {
      const name = update.command.command ?? '';
      if (name === 'start') {
        const payload = update.command.payload ?? '';
        const prefix = payload.includes('_') ? payload.slice(0, payload.indexOf('_')) : '';
        return { handler: this.deepLinks.get(prefix)?.handler ?? missing(`/start ${payload}`) };
      }
      return { handler: this.commands.get(name)?.handler ?? missing(`/${name}`) };
    }
    if (update.callback) {
      const data = update.callback.data ?? '';
      const separator = data.indexOf(':');
      const namespace = separator < 0 ? data : data.slice(0, separator);
      const registered = this.namespaces.get(namespace) ?? missing(`the button ${data}`);
      const decoded = new CallbackData(registered.name).decode(data);
      return { handler: registered.handler, callback: { ...update.callback, action: decoded?.action ?? '', args: decoded?.args ?? [] } };
    }
    if (update.step) {
      const step = update.step.step ?? '';
      return { handler: this.steps.get(step)?.handler ?? missing(`the step ${step}`) };
    }
    if (update.message) {
      const kind = update.message.kind ?? 'MESSAGE_KIND_UNSPECIFIED';
      return { handler: this.messageKinds.get(kind)?.handler ?? missing(`a ${kind} message`) };
    }
    const kind: UpdateKindJson | undefined = update.preCheckout
      ? 'UPDATE_KIND_PRE_CHECKOUT_QUERY'
      : update.subscription
        ? 'UPDATE_KIND_SUBSCRIPTION'
        : update.myChatMember
          ? 'UPDATE_KIND_MY_CHAT_MEMBER'
          : undefined;
    return { handler: (kind && this.updateKinds.get(kind)?.handler) || missing('an update without a trigger') };
  }

  private changed(): this {
    for (const listener of this.listeners) listener();
    return this;
  }
}
