import type { FeatureSessionData } from '@botplatform/bot-kit';
import type { MemberViewJson } from '@botplatform/contracts';
import type { I18nFlavor } from '@grammyjs/i18n';
import type { Context, SessionFlavor } from 'grammy';

/** The bot an update arrived for: the tenant of everything the update causes. */
export interface HostedBotInfo {
  /** Platform bot id (UUID), the tenant. */
  readonly botId: string;
  readonly name: string;
  /** Bumped by each token rotation; the host restarts the bot on a newer one. */
  readonly tokenVersion: number;
}

/**
 * Conversation state of one chat with one bot, kept in the gateway's tables between updates. A feature
 * that asks a question and waits for the answer (the admin menu's "find a user", "block: reason?")
 * writes its step here. Routed features keep theirs in `routedStep` (with the service that entered it)
 * and each service's own slice in `serviceSlices` (see `FeatureSessionData`).
 */
export interface GatewaySession extends FeatureSessionData {
  /** The question the bot is waiting to have answered in this chat, if any. */
  awaiting?: { readonly feature: string; readonly step: string; readonly data?: Readonly<Record<string, string>> };
  /** The admin menu's audit log: where its "more" button continues (cursors can exceed callback data's 64 bytes). */
  adminAuditCursor?: string;
}

export interface GatewayContextFlavor {
  tenant: HostedBotInfo;
  /** Carried into every request the update causes and into the logs, so one update can be followed. */
  correlationId: string;
  /** The sender's membership in this bot, once the identity middleware has run (absent for updates without a sender). */
  member?: MemberViewJson;
}

/** The context every gateway middleware and feature composer works with. */
export type BotContext = Context & SessionFlavor<GatewaySession> & I18nFlavor & GatewayContextFlavor;
