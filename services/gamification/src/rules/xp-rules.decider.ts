import type { Decider, DomainEvent } from '@botplatform/event-store';

/** A bot's XP rules' stream. */
export const xpRulesStreamId = (botId: string): string => `gamification-xp-rules-${botId}`;

export interface XpRules {
  readonly activityFixedXp: number;
  readonly activityXpPerPoint: number;
  readonly streakDayXp: number;
  readonly paymentCompletedXp: number;
  readonly referralJoinedXp: number;
}

/** A bot that set no rules awards nothing from events (only rpc.gamification.award). */
export const NO_XP_RULES: XpRules = { activityFixedXp: 0, activityXpPerPoint: 0, streakDayXp: 0, paymentCompletedXp: 0, referralJoinedXp: 0 };

/** The most XP one event may award, as rpc.gamification.award allows. */
export const MAX_AWARD = 1_000_000;

export interface SetXpRules {
  readonly type: 'SetXpRules';
  readonly botId: string;
  readonly rules: XpRules;
  readonly now: string;
}

export type XpRulesSet = DomainEvent<'XpRulesSet', { botId: string; rules: XpRules; setAt: string }>;

export interface XpRulesState {
  readonly rules: XpRules;
}

const same = (a: XpRules, b: XpRules) =>
  a.activityFixedXp === b.activityFixedXp &&
  a.activityXpPerPoint === b.activityXpPerPoint &&
  a.streakDayXp === b.streakDayXp &&
  a.paymentCompletedXp === b.paymentCompletedXp &&
  a.referralJoinedXp === b.referralJoinedXp;

/** A bot's XP rules: replaced as a whole; the same rules again change nothing. */
export const xpRulesDecider: Decider<XpRulesState, SetXpRules, XpRulesSet> = {
  initialState: () => ({ rules: NO_XP_RULES }),
  // Rules recorded before a figure existed read it as 0.
  evolve: (_state, event) => ({ rules: { ...NO_XP_RULES, ...event.data.rules } }),
  decide: (command, state) =>
    same(command.rules, state.rules) ? [] : [{ type: 'XpRulesSet', data: { botId: command.botId, rules: command.rules, setAt: command.now } }],
};

/** XP for an activity under the rules: fixed + per point of a non-negative score, capped at MAX_AWARD. */
export function activityXp(rules: XpRules, score: number | null): number {
  return Math.min(MAX_AWARD, rules.activityFixedXp + rules.activityXpPerPoint * Math.max(0, score ?? 0));
}
