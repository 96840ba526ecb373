import type { RpcClient } from '@botplatform/bus';
import { botFeatureRpcOf, type BotActionsJson, type BotUpdateJson, type MemberContextJson } from '@botplatform/contracts';
import type { Context, MiddlewareFn } from 'grammy';
import type { RoutingTable } from '../routing/routing-table.js';
import { performActions, type ActionEffects } from './action-performer.js';
import { buildBotUpdate, translateUpdate, type AwaitingStep, type RoutedUpdate } from './bot-update.translation.js';

/** How long a service has to answer an update (Telegram's clients show a spinner meanwhile). */
export const DEFAULT_FEATURE_DEADLINE_MS = 2_500;
/** A pre-checkout must be answered within Telegram's 10 s: the service gets half of it, the rest is the gateway's. */
export const DEFAULT_PRE_CHECKOUT_DEADLINE_MS = 5_000;

/** The service did not answer within its deadline. Named like rxjs' timeout so the host retries it as "no answer". */
export class FeatureDeadlineError extends Error {
  readonly code = 'BOT.SERVICE_TIMEOUT';
  constructor(
    readonly service: string,
    readonly deadlineMs: number,
  ) {
    super(`${service} did not answer within ${deadlineMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Asks the owning service for its answer to one update. */
export type FeatureCall = (service: string, update: BotUpdateJson, deadlineMs: number) => Promise<BotActionsJson>;

/** `rpc.<service>.handle-bot-update` over an RpcClient: the production `FeatureCall`. */
export function rpcFeatureCall(rpc: Pick<RpcClient, 'call'>): FeatureCall {
  return (service, update, deadlineMs) => rpc.call(botFeatureRpcOf(service), update, { timeoutMs: deadlineMs });
}

/**
 * The part of a chat's session the routing keeps: the step a service entered, and each service's own
 * slice (JSON text). A plain object the host stores with the rest of its session.
 */
export interface FeatureSessionData {
  routedStep?: AwaitingStep;
  serviceSlices?: Record<string, string>;
}

export interface FeatureRoutingLogger {
  error(message: string): void;
  warn(message: string): void;
}

export interface FeatureRoutingDependencies<C extends Context> {
  /** The routing table in force; read on every update, so a new declaration applies at once. */
  readonly table: () => RoutingTable;
  /** The bot's feature flags (a route waiting on a flag that is absent or off is not taken). */
  readonly flags: (ctx: C) => Promise<Readonly<Record<string, boolean>>> | Readonly<Record<string, boolean>>;
  readonly call: FeatureCall;
  /** Who wrote, in which bot, language and time zone. */
  readonly memberContext: (ctx: C) => Promise<MemberContextJson> | MemberContextJson;
  /** The chat's session (undefined for an update without a chat session). */
  readonly session: (ctx: C) => FeatureSessionData | undefined;
  /** "Please try again in a moment", in the member's language. */
  readonly tryAgainText: (ctx: C) => string;
  readonly logger: FeatureRoutingLogger;
  /** The update's correlation id, for the logs. */
  readonly correlationId?: (ctx: C) => string;
  /** Default {@link DEFAULT_FEATURE_DEADLINE_MS}. */
  readonly deadlineMs?: number;
  /** Default {@link DEFAULT_PRE_CHECKOUT_DEADLINE_MS}; keep it well under Telegram's 10 s. */
  readonly preCheckoutDeadlineMs?: number;
}

/** Triggers a member is waiting on: a failure gets them a polite answer instead of a retry. */
const INTERACTIVE = new Set(['command', 'callback_namespace', 'step']);

/**
 * Routes the updates a service declared to that service (`call`) and performs its answer, after the
 * host's own middleware. An update no service owns, or whose route waits on a flag that is off, goes on
 * to `next()` (the host's own features).
 *
 * A service that fails (deadline passed, no responder, an error, an answer the performer refuses) is
 * logged with the correlation id, the service and the code, and:
 * - a command, button press or step answer gets the polite "try again" (a press as its callback answer);
 * - a pre-checkout query is declined with it, within the pre-checkout deadline (never left to Telegram);
 * - a photo or document the member sent gets the "try again" too;
 * - anything the member is not waiting on (a successful or refunded payment, a subscription change,
 *   my_chat_member) is thrown, so the host handles the update again later rather than losing it.
 */
export function routeToFeatures<C extends Context>(deps: FeatureRoutingDependencies<C>): MiddlewareFn<C> {
  const deadlineMs = deps.deadlineMs ?? DEFAULT_FEATURE_DEADLINE_MS;
  const preCheckoutDeadlineMs = deps.preCheckoutDeadlineMs ?? DEFAULT_PRE_CHECKOUT_DEADLINE_MS;
  return async (ctx, next) => {
    const table = deps.table();
    const session = deps.session(ctx);
    const awaiting = session?.routedStep;
    const translation = translateUpdate(ctx.update, { table, ...(awaiting ? { awaiting } : {}), botUsername: ctx.me?.username });
    if (translation.leaveStep && session) delete session.routedStep;
    const routed = translation.routed;
    if (!routed) return next();
    if (routed.route.featureFlag) {
      const flags = await deps.flags(ctx);
      if (flags[routed.route.featureFlag] !== true) return next();
    }
    const { service } = routed.route;
    const isPreCheckout = routed.trigger.preCheckout !== undefined;
    const deadline = isPreCheckout ? preCheckoutDeadlineMs : deadlineMs;
    const started = Date.now();
    const target = {
      chatId: routed.chatId,
      ...(routed.trigger.callback
        ? { callbackQueryId: routed.trigger.callback.callbackQueryId, callbackMessageId: Number(routed.trigger.callback.messageId ?? 0) || undefined }
        : {}),
      ...(routed.trigger.preCheckout ? { preCheckoutQueryId: routed.trigger.preCheckout.preCheckoutQueryId } : {}),
    };
    let effects: ActionEffects;
    try {
      const update = buildBotUpdate({
        updateId: ctx.update.update_id,
        routed,
        context: await deps.memberContext(ctx),
        sessionJson: session?.serviceSlices?.[service] ?? '',
      });
      const answer = await withDeadline(deps.call(service, update, deadline), deadline, () => new FeatureDeadlineError(service, deadline));
      effects = await performActions(answer.actions ?? [], { api: ctx.api, service, table, target });
    } catch (caught) {
      // The transport's own timeout (set to the same deadline) may fire first: it is the same failure.
      const error = caught instanceof Error && caught.name === 'TimeoutError' ? new FeatureDeadlineError(service, deadline) : caught;
      deps.logger.error(
        `routed ${routed.name} of update ${ctx.update.update_id} to ${service} failed after ${Date.now() - started} ms ` +
          `(correlation ${deps.correlationId?.(ctx) ?? '-'}, service ${service}, code ${codeOf(error)}): ${messageOf(error)}`,
      );
      await answerPolitely(ctx, routed, target, deps.tryAgainText(ctx), error);
      return;
    }
    if (session) applyEffects(session, service, effects);
    // The member's client spins until a press is answered, and Telegram declines an unanswered checkout
    // after 10 s: a service that forgot is covered here.
    if (target.callbackQueryId && !effects.answeredCallback) await ctx.api.answerCallbackQuery(target.callbackQueryId);
    if (target.preCheckoutQueryId && !effects.answeredPreCheckout) {
      deps.logger.warn(`${service} left the pre-checkout of update ${ctx.update.update_id} unanswered: declined`);
      await ctx.api.answerPreCheckoutQuery(target.preCheckoutQueryId, false, { error_message: deps.tryAgainText(ctx) });
    }
  };
}

function applyEffects(session: FeatureSessionData, service: string, effects: ActionEffects): void {
  if (effects.sessionJson !== undefined) {
    const slices = { ...(session.serviceSlices ?? {}) };
    if (effects.sessionJson === '') delete slices[service];
    else slices[service] = effects.sessionJson;
    session.serviceSlices = slices;
  }
  if (effects.step === null) {
    if (session.routedStep?.service === service) delete session.routedStep;
  } else if (effects.step !== undefined) {
    session.routedStep = effects.step;
  }
}

async function answerPolitely(
  ctx: Context,
  routed: RoutedUpdate,
  target: { chatId: number; callbackQueryId?: string; preCheckoutQueryId?: string },
  text: string,
  error: unknown,
): Promise<void> {
  if (target.preCheckoutQueryId) {
    await ctx.api.answerPreCheckoutQuery(target.preCheckoutQueryId, false, { error_message: text });
    return;
  }
  if (target.callbackQueryId) {
    await ctx.api.answerCallbackQuery(target.callbackQueryId, { text });
    return;
  }
  const waiting =
    INTERACTIVE.has(routed.kind) || routed.trigger.message?.kind === 'MESSAGE_KIND_PHOTO' || routed.trigger.message?.kind === 'MESSAGE_KIND_DOCUMENT';
  if (!waiting) throw error;
  await ctx.api.sendMessage(target.chatId, text);
}

function withDeadline<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  // A late answer is dropped: the member already got the polite one.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Nothing serves the service's subject: the in-process broker's code, or NATS' words through Nest's client. */
const NO_RESPONDER = /no subscribers listening|no responders/i;

/** The code logged for a failure: the error's own, one for "no responder" on either transport, else its name. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'RPC.NO_HANDLER' || (error instanceof Error && NO_RESPONDER.test(error.message))) return 'BOT.NO_RESPONDER';
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return error instanceof Error ? error.name : 'UNKNOWN';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
