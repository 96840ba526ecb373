import type { Logger } from '@nestjs/common';
import { Composer, type BotError } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { BotContext } from '../bot/bot-context.js';
import { gatewayI18n } from '../i18n/gateway-i18n.js';
import type { SupportedLocale } from '../i18n/locale-negotiation.js';
import { refuseBlockedMembers } from '../middleware/blocked-member.middleware.js';
import { createErrorBoundaryHandler } from '../middleware/error-boundary.js';
import { upsertIdentity } from '../middleware/identity.middleware.js';
import { passOverIgnorableUpdates } from '../middleware/ignorable-update.middleware.js';
import { DEFAULT_INCOMING_RATE_LIMIT, type IncomingRateLimit } from '../middleware/incoming-rate-limiter.js';
import { MemberCache } from '../middleware/member-cache.js';
import { recordBotBlockedChanges } from '../middleware/my-chat-member.middleware.js';
import { limitIncomingRate } from '../middleware/rate-limit.middleware.js';
import { gatewayFeatureRouting, type GatewayRouting } from '../routing/feature-routing.middleware.js';
import type { UsersClient } from '../users/users.client.js';
import { fallbackFeature } from './fallback.composer.js';
import { helpFeature } from './help.composer.js';
import { languageFeature } from './language.composer.js';
import { startFeature } from './start.composer.js';

export { MemberCache } from '../middleware/member-cache.js';
export { memberCacheConsumer } from '../middleware/member-cache.consumer.js';
export type { IncomingRateLimit } from '../middleware/incoming-rate-limiter.js';

export interface BotPipelineDependencies {
  readonly users: UsersClient;
  readonly logger: Logger;
  /**
   * Members recently seen, shared by every hosted bot so one {@link memberCacheConsumer} keeps them all
   * fresh. Created per pipeline when absent (then nothing outside can invalidate it).
   */
  readonly memberCache?: MemberCache;
  /** Per user and bot; 20 updates / 10 s when absent, `false` for none (benchmarks). */
  readonly incomingRateLimit?: IncomingRateLimit | false;
  /** Routes the updates services declared to them; absent, every update stays with the gateway's features. */
  readonly routing?: GatewayRouting;
}

/**
 * What a hosted bot does with an update, once the host has set `ctx.tenant`, `ctx.correlationId` and the
 * session: pass over updates without a sender, pick the language, make the sender a member, refuse
 * blocked members and floods, record the bot being blocked or unblocked, route what services declared
 * to them, then the gateway's own features.
 */
export function createBotPipeline(deps: BotPipelineDependencies): Composer<BotContext> {
  const memberCache = deps.memberCache ?? new MemberCache();
  const { users, logger } = deps;
  const features = { users, logger, memberCache };
  const pipeline = new Composer<BotContext>();
  pipeline.use(passOverIgnorableUpdates(logger));
  pipeline.use(gatewayI18n().middleware());
  pipeline.use(upsertIdentity({ users, cache: memberCache }));
  pipeline.use(refuseBlockedMembers({ users, cache: memberCache, logger }));
  pipeline.use(limitIncomingRate(deps.incomingRateLimit ?? DEFAULT_INCOMING_RATE_LIMIT, logger));
  pipeline.use(recordBotBlockedChanges(users, memberCache, logger));
  // Routed features before the gateway's own: a step's answer must reach its service rather than the
  // fallback. The gateway's own commands and buttons (start, help, language) are reserved, so no
  // declaration can take them.
  if (deps.routing) pipeline.use(gatewayFeatureRouting(deps.routing, logger));
  pipeline.use(startFeature, helpFeature(deps.routing), languageFeature(features));
  pipeline.use(fallbackFeature);
  return pipeline;
}

/**
 * The `bot.catch` of a hosted bot: logs with bot, correlation and update ids (never the token), answers
 * the user in their language (typed errors get their own text, others a reference), records a 403 in a
 * private chat as the user having blocked the bot. Never throws.
 */
export function createErrorBoundary(deps: BotPipelineDependencies): (error: BotError<BotContext>) => Promise<void> {
  return createErrorBoundaryHandler(deps);
}

/** What the gateway keeps for itself: first contact, the list of what the bot can do, the language. */
const PUBLIC_COMMANDS = ['start', 'help', 'language'] as const;

/** The gateway's own commands in a language, as the menus list them first. */
export function gatewayCommands(locale: SupportedLocale): BotCommand[] {
  const i18n = gatewayI18n();
  return PUBLIC_COMMANDS.map((command) => ({ command, description: i18n.t(locale, `command-${command}`) }));
}
