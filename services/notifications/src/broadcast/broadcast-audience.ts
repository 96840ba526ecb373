import type { BroadcastAudience } from './broadcast.decider.js';

/** Members a broadcast is never sent to: blocked by the bot's admins, or known to have blocked the bot. */
export const UNREACHABLE = "(r.status = 'blocked' OR r.blocked_bot)";

/**
 * The audience as SQL over `notifications.notification_recipients r` (the service's own projection: no
 * other service is asked). Parameters start at `$<first>`; the bot is `$1` of the caller's query.
 */
export function audienceFilter(audience: BroadcastAudience, now: Date, first: number): { sql: string; params: unknown[] } {
  const p = (n: number) => `$${first + n}`;
  switch (audience.kind) {
    case 'all':
      return { sql: 'true', params: [] };
    case 'premium':
      return { sql: `(r.plan_id IS NOT NULL AND r.plan_trial IS NOT TRUE AND (r.plan_ends_at IS NULL OR r.plan_ends_at > ${p(0)}))`, params: [now] };
    case 'free':
      return { sql: `(r.plan_id IS NULL OR r.plan_ends_at <= ${p(0)})`, params: [now] };
    case 'trial':
      return { sql: `(r.plan_id IS NOT NULL AND r.plan_trial IS TRUE AND (r.plan_ends_at IS NULL OR r.plan_ends_at > ${p(0)}))`, params: [now] };
    case 'inactive':
      return { sql: `coalesce(r.last_seen_at, r.registered_at) < ${p(0)}`, params: [new Date(now.getTime() - audience.days * 86_400_000)] };
    case 'joined_after':
      return { sql: `r.registered_at > ${p(0)}`, params: [new Date(audience.date)] };
    case 'language':
      // `ru` matches `ru` and `ru-RU`.
      return {
        sql: `(lower(coalesce(r.language_override, r.language_code, '')) = ${p(0)} OR lower(coalesce(r.language_override, r.language_code, '')) LIKE ${p(1)})`,
        params: [audience.language.toLowerCase(), `${audience.language.toLowerCase()}-%`],
      };
    case 'referral':
      return { sql: `r.referral_source = ${p(0)}`, params: [audience.source] };
  }
}
