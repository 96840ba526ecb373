import type { MemberRole } from '../user/membership.decider.js';

/**
 * A member's daily limit from the bot's settings: `quota.daily.plan.<plan>` when they have a plan and
 * the bot sets one for it, else `quota.daily.<role>`; `null` (unlimited) when neither is set.
 */
export function dailyQuotaLimit(settings: Readonly<Record<string, unknown>>, role: MemberRole, plan?: string): number | null {
  const byPlan = plan === undefined ? undefined : limitValue(settings[`quota.daily.plan.${plan}`]);
  return byPlan ?? limitValue(settings[`quota.daily.${role}`]) ?? null;
}

// The registry validates these settings as ints ≥ 0 on write; anything else is treated as not set.
function limitValue(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
