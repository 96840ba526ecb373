import { RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { MAX_AWARD, type InvalidRow, type LegacyUser } from './legacy-file.js';

/** What happened to one valid row. */
export type RowOutcome =
  | { readonly kind: 'imported'; readonly key: string; readonly notes: readonly string[] }
  | { readonly kind: 'skipped'; readonly key: string; readonly notes: readonly string[] }
  | { readonly kind: 'failed'; readonly key: string; readonly reason: string };

export interface ImportSummary {
  readonly imported: number;
  readonly skipped: number;
  readonly invalid: readonly InvalidRow[];
  readonly failed: readonly { key: string; reason: string }[];
  /** Remarks on rows that were imported or skipped (a level the file gives that the bot's thresholds do not). */
  readonly notes: readonly { key: string; note: string }[];
}

export interface ImportOptions {
  readonly botId: string;
  /** The service whose session slice a legacy session becomes. */
  readonly sessionService: string;
  /** Rows in flight at once. */
  readonly concurrency?: number;
  /** Called after each row, in completion order. */
  readonly onRow?: (outcome: RowOutcome, done: number, total: number) => void;
}

/** Refusals that no other row would escape: the whole import stops on them. */
const FATAL = new Set(['USERS.BOT_NOT_FOUND', 'USERS.BOT_INACTIVE']);

export class ImportAbortedError extends Error {
  readonly code = 'IMPORT.ABORTED';
}

/** Source ids of one legacy row: the same row imports the same things under the same ids on every run. */
export const legacySourceId = (botId: string, telegramUserId: string, what: string): string => `legacy:${botId}:${telegramUserId}:${what}`;

/** The bot's badge catalogue, for the rows' badges to be checked against before anything is written. */
export async function badgeCatalogueOf(rpc: RpcClient, botId: string): Promise<Set<string>> {
  const { badges } = await rpc.call(RPC.gamification.listBadges, { botId });
  return new Set((badges ?? []).flatMap((badge) => (badge.key ? [badge.key] : [])));
}

/**
 * Imports the checked rows through the services' own commands, so their events are published as for any
 * member: `rpc.users.register-user` (identity and membership), `rpc.gamification.award` (the XP, source id
 * `legacy:<botId>:<tgId>:xp`), `award-badge` (once per member and badge anyway), `import-activity-stats`
 * (`…:stats`) and `rpc.gateway.import-session` (only into a chat with no slice of the service). Every
 * command is idempotent, so a second run, or a run after one that stopped half-way, imports nothing twice.
 */
export async function importLegacyUsers(
  rpc: RpcClient,
  users: readonly LegacyUser[],
  invalid: readonly InvalidRow[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const outcomes: RowOutcome[] = [];
  let next = 0;
  let aborted: Error | undefined;
  const worker = async () => {
    while (next < users.length && !aborted) {
      const user = users[next++];
      let outcome: RowOutcome;
      try {
        outcome = await importUser(rpc, user, options);
      } catch (error) {
        if (error instanceof RpcCallError && FATAL.has(error.code)) {
          aborted = new ImportAbortedError(`bot ${options.botId}: ${error.code} (${error.message})`);
          return;
        }
        outcome = { kind: 'failed', key: user.telegramUserId, reason: error instanceof RpcCallError ? `${error.code}: ${error.message}` : String(error) };
      }
      outcomes.push(outcome);
      options.onRow?.(outcome, outcomes.length, users.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, users.length)) }, worker));
  if (aborted) throw aborted;
  return {
    imported: outcomes.filter((outcome) => outcome.kind === 'imported').length,
    skipped: outcomes.filter((outcome) => outcome.kind === 'skipped').length,
    invalid,
    failed: outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [{ key: outcome.key, reason: outcome.reason }] : [])),
    notes: outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [] : outcome.notes.map((note) => ({ key: outcome.key, note })))),
  };
}

async function importUser(rpc: RpcClient, user: LegacyUser, { botId, sessionService }: ImportOptions): Promise<RowOutcome> {
  const member = { botId, telegramUserId: user.telegramUserId };
  const notes: string[] = [];
  let changed = false;

  const registered = await rpc.call(RPC.users.registerUser, { ...member, ...user.profile, isPremium: false });
  changed ||= registered.membershipCreated === true;

  let level: number | undefined;
  for (let part = 0, left = user.xp; left > 0; part++, left -= MAX_AWARD) {
    const sourceId = legacySourceId(botId, user.telegramUserId, part === 0 ? 'xp' : `xp:${part + 1}`);
    const award = await rpc.call(RPC.gamification.award, { ...member, amount: Math.min(left, MAX_AWARD), reason: 'legacy-import', sourceId });
    changed ||= award.awarded === true;
    level = award.level;
  }
  if (user.level !== null && user.level !== (level ?? 1)) {
    notes.push(`level ${user.level} in the file, ${level ?? 1} by the bot's thresholds for ${user.xp} XP`);
  }

  for (const badgeKey of user.badges) {
    const badge = await rpc.call(RPC.gamification.awardBadge, { ...member, badgeKey });
    changed ||= badge.newBadge === true;
  }

  if (user.stats) {
    const stats = await rpc.call(RPC.gamification.importActivityStats, {
      ...member,
      sourceId: legacySourceId(botId, user.telegramUserId, 'stats'),
      totalActivities: String(user.stats.totalActivities),
      ...(user.stats.bestScore === null ? {} : { bestScore: String(user.stats.bestScore) }),
      lastActivityAt: user.stats.lastActivityAt,
    });
    changed ||= stats.imported === true;
  }

  if (user.sessionJson !== null) {
    const session = await rpc.call(RPC.gateway.importSession, { ...member, service: sessionService, sessionJson: user.sessionJson });
    changed ||= session.imported === true;
    // The chat had the service's slice before this row's first import (the member used the bot): it stands.
    if (!session.imported && changed) notes.push(`session kept: the chat already had a ${sessionService} session`);
  }

  return { kind: changed ? 'imported' : 'skipped', key: user.telegramUserId, notes };
}
