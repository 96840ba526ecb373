import { memberOf, routeToFeatures, type FeatureCall, type FeatureSessionData, type RoutingTable } from '@botplatform/bot-kit';
import type { Logger } from '@nestjs/common';
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { localeOf } from '../i18n/gateway-i18n.js';
import type { RoutingConfig } from './bot-config.cache.js';

/** What the gateway routes with: the table in force, each bot's flags and time zone, and the call to a service. */
export interface GatewayRouting {
  readonly table: () => RoutingTable;
  readonly config: (botId: string) => Promise<RoutingConfig>;
  readonly call: FeatureCall;
  /** Default 2.5 s (see `routeToFeatures`). */
  readonly deadlineMs?: number;
  /** Default 5 s. */
  readonly preCheckoutDeadlineMs?: number;
}

/** `routeToFeatures` with the gateway's member, language, session and texts. */
export function gatewayFeatureRouting(routing: GatewayRouting, logger: Logger): MiddlewareFn<BotContext> {
  return routeToFeatures<BotContext>({
    table: routing.table,
    flags: async (ctx) => (await routing.config(ctx.tenant.botId)).flags,
    call: routing.call,
    memberContext: async (ctx) => ({
      botId: ctx.tenant.botId,
      botName: ctx.tenant.name,
      ...(ctx.me?.username ? { botUsername: ctx.me.username } : {}),
      ...(ctx.member ? { member: memberOf(ctx.member) } : {}),
      language: localeOf(ctx),
      timeZone: (await routing.config(ctx.tenant.botId)).timeZone,
    }),
    session: sessionOf,
    tryAgainText: (ctx) => ctx.t('feature-try-again'),
    logger,
    correlationId: (ctx) => ctx.correlationId,
    ...(routing.deadlineMs !== undefined ? { deadlineMs: routing.deadlineMs } : {}),
    ...(routing.preCheckoutDeadlineMs !== undefined ? { preCheckoutDeadlineMs: routing.preCheckoutDeadlineMs } : {}),
  });
}

/** The chat's session, or undefined for an update that has none (grammY throws on access then). */
function sessionOf(ctx: BotContext): FeatureSessionData | undefined {
  try {
    return ctx.session;
  } catch {
    return undefined;
  }
}
