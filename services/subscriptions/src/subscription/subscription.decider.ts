import type { Decider, DomainEvent } from '@botplatform/event-store';
import type { PlanKind, PlanLimit } from '../plan/plan.decider.js';
import { firstRenewalAttemptAt, nextRenewalAttemptAt } from './wallet-renewal.js';
import {
  AlreadySubscribedError,
  GrantOutOfRangeError,
  InvalidAmountError,
  NoCreditsError,
  NotSubscribedError,
  TrialAlreadyTakenError,
} from './subscription.errors.js';

export type SubscriptionSource = 'payment' | 'promo' | 'trial' | 'admin';

/** What a plan unlocks, copied into the subscription when granted: a later change of the plan does not reach it. */
export interface Entitlements {
  readonly quotaLevel: string | null;
  readonly featureKeys: readonly string[];
  readonly limits: readonly PlanLimit[];
  /** The plan is shared by the bot's group (its level counts in the group's bots); absent for a bot's own plan. */
  readonly groupShared?: boolean;
}

/** The plan as a grant sees it (read from the plans read model by the use case). */
export interface GrantedPlan {
  readonly planId: string;
  readonly kind: PlanKind;
  readonly trial: boolean;
  readonly entitlements: Entitlements;
}

interface MemberCommand {
  readonly botId: string;
  readonly telegramUserId: number;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

export interface GrantSubscription extends MemberCommand {
  readonly type: 'GrantSubscription';
  /** The idempotency key: a grant id seen before decides nothing. */
  readonly grantId: string;
  readonly plan: GrantedPlan;
  readonly source: Exclude<SubscriptionSource, 'trial'>;
  readonly grantedBy: string;
  /** Why an admin granted it, kept with the grant's event. */
  readonly reason?: string;
  /** Paid by a Stars subscription, which Telegram renews itself: no wallet renewal is tried for the period. */
  readonly starsSubscription?: boolean;
  /** A wallet renewal of the period (its grant id is the period's renewal key). */
  readonly renewal?: boolean;
}

/** An admin adds days to the running period, whatever its plan: the end moves, nothing else changes. */
export interface ExtendSubscription extends MemberCommand {
  readonly type: 'ExtendSubscription';
  /** The idempotency key, as a grant's. */
  readonly grantId: string;
  readonly days: number;
  readonly extendedBy: string;
}

export interface StartTrial extends MemberCommand {
  readonly type: 'StartTrial';
  readonly plan: GrantedPlan;
}

export interface RevokeSubscription extends MemberCommand {
  readonly type: 'RevokeSubscription';
  readonly reason: string;
  readonly revokedBy: string;
}

export interface CancelRenewal extends MemberCommand {
  readonly type: 'CancelRenewal';
}

export interface ResumeRenewal extends MemberCommand {
  readonly type: 'ResumeRenewal';
}

/** Sent at or after the period's end (by the schedule, later): records that it ended. */
export interface ExpireSubscription extends MemberCommand {
  readonly type: 'ExpireSubscription';
}

/** Sent by the schedule `daysBefore` days before the end of the period ending at `endsAt`. */
export interface RemindOfEnd extends MemberCommand {
  readonly type: 'RemindOfEnd';
  /** The end of the period the reminder is for: a period whose end moved since is reminded at its new end. */
  readonly endsAt: string;
  readonly daysBefore: number;
}

export interface ConsumeCredit extends MemberCommand {
  readonly type: 'ConsumeCredit';
  /** The caller's id of the use: a request id seen before decides nothing. */
  readonly requestId: string;
}

/**
 * The wallet renewal's attempt `attempt` of the period ending at `endsAt` failed (the renewal timer's
 * use case, after payments refused or could not be asked): recorded once, with the next attempt's time.
 */
export interface RecordRenewalFailure extends MemberCommand {
  readonly type: 'RecordRenewalFailure';
  readonly endsAt: string;
  readonly attempt: number;
  readonly reason: RenewalFailureReason;
}

export type SubscriptionCommand =
  | RecordRenewalFailure
  | GrantSubscription
  | ExtendSubscription
  | StartTrial
  | RevokeSubscription
  | CancelRenewal
  | ResumeRenewal
  | ExpireSubscription
  | RemindOfEnd
  | ConsumeCredit;

interface MemberData {
  readonly botId: string;
  readonly telegramUserId: number;
}

interface GrantData extends MemberData {
  readonly planId: string;
  readonly source: SubscriptionSource;
  readonly trial: boolean;
  /** Null for a trial started by the member (start-trial has no idempotency key: the trial itself is once). */
  readonly grantId: string | null;
  readonly entitlements: Entitlements;
  /** An admin's reason for a grant; absent for everything else. */
  readonly reason?: string;
  /** Paid by a Stars subscription (Telegram renews it); absent otherwise. */
  readonly starsSubscription?: true;
  /** A wallet renewal's extension; absent otherwise. */
  readonly renewal?: true;
}

export type SubscriptionStarted = DomainEvent<'SubscriptionStarted', GrantData & { days: number; startedAt: string; endsAt: string }>;
export type SubscriptionExtended = DomainEvent<
  'SubscriptionExtended',
  GrantData & { days: number; previousEndsAt: string; endsAt: string; extendedAt: string }
>;
/** Why a period ended: its wallet renewal's last failure, renewal turned off, or just its end (no renewal: a trial, a Stars subscription). */
export type ExpiryReason = RenewalFailureReason | 'renewal_cancelled' | 'ended';
export type SubscriptionExpired = DomainEvent<'SubscriptionExpired', MemberData & { planId: string; endedAt: string; reason?: ExpiryReason }>;
/** A wallet renewal attempt failed; `nextAttemptAt` is null after the last one (the period then expires at its end). */
export type RenewalAttemptFailed = DomainEvent<
  'RenewalAttemptFailed',
  MemberData & { planId: string; endsAt: string; attempt: number; reason: RenewalFailureReason; failedAt: string; nextAttemptAt: string | null }
>;
export type SubscriptionRevoked = DomainEvent<
  'SubscriptionRevoked',
  MemberData & { planId: string | null; reason: string; revokedBy: string; revokedAt: string; creditsForfeited: number }
>;
export type RenewalCancelled = DomainEvent<'RenewalCancelled', MemberData & { planId: string; endsAt: string; cancelledAt: string }>;
/** `renewalAttempt`: the wallet renewal attempt the resumption arms (absent for a period that has none). */
export type RenewalResumed = DomainEvent<
  'RenewalResumed',
  MemberData & { planId: string; endsAt: string; resumedAt: string; renewalAttempt?: { attempt: number; at: string } }
>;
export type CreditsAdded = DomainEvent<'CreditsAdded', GrantData & { credits: number; balance: number; addedAt: string }>;
export type CreditsConsumed = DomainEvent<'CreditsConsumed', MemberData & { requestId: string; balance: number; consumedAt: string }>;
/** The member is to be told that their period ends in `daysBefore` days: once per period end and number of days. */
export type ReminderDue = DomainEvent<
  'ReminderDue',
  MemberData & { planId: string; trial: boolean; renewalCancelled: boolean; endsAt: string; daysBefore: number; remindedAt: string }
>;

export type SubscriptionEvent =
  | SubscriptionStarted
  | SubscriptionExtended
  | SubscriptionExpired
  | SubscriptionRevoked
  | RenewalCancelled
  | RenewalResumed
  | CreditsAdded
  | CreditsConsumed
  | ReminderDue
  | RenewalAttemptFailed;

/** The event types of this decider, for projections that see every event of the store. */
export const SUBSCRIPTION_EVENT_TYPES = [
  'SubscriptionStarted',
  'SubscriptionExtended',
  'SubscriptionExpired',
  'SubscriptionRevoked',
  'RenewalCancelled',
  'RenewalResumed',
  'CreditsAdded',
  'CreditsConsumed',
  'ReminderDue',
  'RenewalAttemptFailed',
] as const satisfies readonly SubscriptionEvent['type'][];

/** The current or last period of access. */
export interface Period {
  readonly planId: string;
  readonly source: SubscriptionSource;
  readonly trial: boolean;
  readonly startedAt: string;
  readonly endsAt: string;
  readonly entitlements: Entitlements;
  readonly renewalCancelled: boolean;
  /** False once it expired: the end passed and was recorded. */
  readonly open: boolean;
  /** The wallet renewal of this end; null (or absent, in rows written before it) for a period not renewed from the wallet. */
  readonly walletRenewal?: WalletRenewal | null;
}

/** Why a wallet renewal attempt failed: a typed reason, as payments refused or could not be asked. */
export type RenewalFailureReason = 'insufficient_balance' | 'payments_unavailable' | 'plan_unavailable';

/** Where a period's wallet renewal stands: its next attempt, the attempts failed so far and the last reason. */
export interface WalletRenewal {
  /** Null after the last attempt failed. */
  readonly nextAttemptAt: string | null;
  readonly failures: number;
  readonly lastFailure: RenewalFailureReason | null;
}

/**
 * A member's subscription as it is shown and as the access read model keeps it: everything but the
 * idempotency keys. `evolveSubscriptionView` folds it, for the decider and the projection alike.
 */
export interface SubscriptionView {
  readonly botId: string | null;
  readonly telegramUserId: number | null;
  /** Null before the first period and after a revocation. */
  readonly period: Period | null;
  readonly credits: number;
  /** What the last credit pack unlocks, while credits are left. */
  readonly creditsPlan: { readonly planId: string; readonly entitlements: Entitlements } | null;
  readonly trialTaken: boolean;
  readonly revokedAt: string | null;
}

export interface SubscriptionState {
  readonly view: SubscriptionView;
  readonly grantIds: ReadonlySet<string>;
  readonly consumedRequestIds: ReadonlySet<string>;
  /** Reminders given, as `reminderId`s: a timer fired twice, or a stale one, reminds nobody again. */
  readonly reminders: ReadonlySet<string>;
}

/** A reminder's identity: the end of the period it is for, and how many days before it. */
export const reminderId = (endsAt: string, daysBefore: number): string => `${endsAt}/${daysBefore}d`;

export const EMPTY_SUBSCRIPTION_VIEW: SubscriptionView = {
  botId: null,
  telegramUserId: null,
  period: null,
  credits: 0,
  creditsPlan: null,
  trialTaken: false,
  revokedAt: null,
};

const DAY_MS = 86_400_000;
/** The longest extension an admin may give at once: as a plan's longest period. */
export const MAX_EXTENSION_DAYS = 3_660;
const plusDays = (at: string, days: number): string => new Date(Date.parse(at) + days * DAY_MS).toISOString();
/** The credits balance and the period's end travel as an int32 and a protobuf Timestamp. */
const MAX_CREDITS = 2_147_483_647;
const LAST_END = Date.parse('9999-12-31T23:59:59.999Z');

/** The period gives access at `now`: open and not past its end. */
export const isRunning = (period: Period | null, now: string): period is Period => period?.open === true && Date.parse(period.endsAt) > Date.parse(now);

/** A period still marked open whose end has passed: its expiry is due (and is recorded before anything else). */
const isDue = (period: Period | null, now: string): period is Period => period?.open === true && Date.parse(period.endsAt) <= Date.parse(now);

/**
 * The wallet renewal of a period a grant starts or extends: none for a trial, a Stars subscription's
 * period (Telegram renews it) or an admin's extension of a period that had none.
 */
function walletRenewalOf(data: GrantData, from: string, endsAt: string, previous: Period | null): WalletRenewal | null {
  if (data.trial || data.starsSubscription) return null;
  if (data.source === 'admin' && previous?.open && previous.walletRenewal === null) return null;
  return { nextAttemptAt: firstRenewalAttemptAt(from, endsAt), failures: 0, lastFailure: null };
}

/** The view after one event: pure, shared by the decider and the access read model. */
export function evolveSubscriptionView(view: SubscriptionView, event: SubscriptionEvent): SubscriptionView {
  const member = { botId: event.data.botId, telegramUserId: event.data.telegramUserId };
  switch (event.type) {
    case 'SubscriptionStarted': {
      const d = event.data;
      const period: Period = {
        planId: d.planId,
        source: d.source,
        trial: d.trial,
        startedAt: d.startedAt,
        endsAt: d.endsAt,
        entitlements: d.entitlements,
        renewalCancelled: false,
        open: true,
        walletRenewal: walletRenewalOf(d, d.startedAt, d.endsAt, view.period),
      };
      return { ...view, ...member, period, trialTaken: view.trialTaken || d.trial };
    }
    case 'SubscriptionExtended': {
      const d = event.data;
      if (!view.period) return view;
      const period: Period = {
        ...view.period,
        planId: d.planId,
        source: d.source,
        trial: d.trial,
        endsAt: d.endsAt,
        entitlements: d.entitlements,
        walletRenewal: walletRenewalOf(d, d.extendedAt, d.endsAt, view.period),
      };
      return { ...view, ...member, period, trialTaken: view.trialTaken || d.trial };
    }
    case 'SubscriptionExpired':
      return view.period ? { ...view, period: { ...view.period, open: false } } : view;
    case 'SubscriptionRevoked':
      return { ...view, ...member, period: null, credits: 0, creditsPlan: null, revokedAt: event.data.revokedAt };
    case 'RenewalCancelled':
      return view.period ? { ...view, period: { ...view.period, renewalCancelled: true } } : view;
    case 'RenewalResumed': {
      if (!view.period) return view;
      const attempt = event.data.renewalAttempt;
      const renewal = view.period.walletRenewal;
      const walletRenewal = attempt && renewal ? { ...renewal, nextAttemptAt: attempt.at } : renewal;
      return { ...view, period: { ...view.period, renewalCancelled: false, walletRenewal } };
    }
    case 'RenewalAttemptFailed': {
      const d = event.data;
      if (!view.period || view.period.endsAt !== d.endsAt) return view;
      const walletRenewal: WalletRenewal = { nextAttemptAt: d.nextAttemptAt, failures: d.attempt, lastFailure: d.reason };
      return { ...view, period: { ...view.period, walletRenewal } };
    }
    case 'CreditsAdded': {
      const d = event.data;
      return {
        ...view,
        ...member,
        credits: d.balance,
        creditsPlan: { planId: d.planId, entitlements: d.entitlements },
        trialTaken: view.trialTaken || d.trial,
      };
    }
    case 'CreditsConsumed':
      return { ...view, credits: event.data.balance, creditsPlan: event.data.balance > 0 ? view.creditsPlan : null };
    case 'ReminderDue':
      return view;
  }
}

function grant(
  state: SubscriptionState,
  command: {
    botId: string;
    telegramUserId: number;
    now: string;
    plan: GrantedPlan;
    source: SubscriptionSource;
    grantId: string | null;
    reason?: string | undefined;
    starsSubscription?: boolean | undefined;
    renewal?: boolean | undefined;
  },
): SubscriptionEvent[] {
  const { view } = state;
  const { plan, now } = command;
  if (plan.trial && view.trialTaken) throw new TrialAlreadyTakenError(command.botId, command.telegramUserId);
  const data: GrantData = {
    botId: command.botId,
    telegramUserId: command.telegramUserId,
    planId: plan.planId,
    source: command.source,
    trial: plan.trial,
    grantId: command.grantId,
    entitlements: plan.entitlements,
    ...(command.reason ? { reason: command.reason } : {}),
    ...(command.starsSubscription ? { starsSubscription: true as const } : {}),
    ...(command.renewal ? { renewal: true as const } : {}),
  };
  if ('credits' in plan.kind) {
    if (view.credits + plan.kind.credits > MAX_CREDITS) throw new GrantOutOfRangeError(command.botId, command.telegramUserId, 'the credits');
    return [{ type: 'CreditsAdded', data: { ...data, credits: plan.kind.credits, balance: view.credits + plan.kind.credits, addedAt: now } }];
  }
  const days = plan.kind.periodDays;
  const from = isRunning(view.period, now) ? view.period.endsAt : now;
  if (Date.parse(from) + days * DAY_MS > LAST_END) throw new GrantOutOfRangeError(command.botId, command.telegramUserId, 'the end');
  if (isRunning(view.period, now)) {
    // Added to the current end, never from now: a second purchase of 30 days while 10 are left gives 40.
    const previousEndsAt = view.period.endsAt;
    return [{ type: 'SubscriptionExtended', data: { ...data, days, previousEndsAt, endsAt: plusDays(previousEndsAt, days), extendedAt: now } }];
  }
  const expired: SubscriptionEvent[] = isDue(view.period, now) ? [expiry(command, view.period)] : [];
  return [...expired, { type: 'SubscriptionStarted', data: { ...data, days, startedAt: now, endsAt: plusDays(now, days) } }];
}

/** Why the period ends unrenewed: the last wallet attempt's failure, the member's switch, or no renewal at all. */
function expiryReasonOf(period: Period): ExpiryReason {
  if (period.walletRenewal?.lastFailure && !period.renewalCancelled) return period.walletRenewal.lastFailure;
  if (period.renewalCancelled) return 'renewal_cancelled';
  return 'ended';
}

const expiry = (member: MemberData, period: Period): SubscriptionExpired => ({
  type: 'SubscriptionExpired',
  data: { botId: member.botId, telegramUserId: member.telegramUserId, planId: period.planId, endedAt: period.endsAt, reason: expiryReasonOf(period) },
});

/**
 * A member's subscription in one bot (stream per bot and member): a period of access that grants start
 * or extend, a balance of credits, the trial taken once. The use cases lock the stream while they decide,
 * so racing requests (20 trials, 50 consumes) queue and each sees the last one's outcome.
 */
export const subscriptionDecider: Decider<SubscriptionState, SubscriptionCommand, SubscriptionEvent> = {
  initialState: () => ({ view: EMPTY_SUBSCRIPTION_VIEW, grantIds: new Set(), consumedRequestIds: new Set(), reminders: new Set() }),

  evolve: (state, event) => {
    const view = evolveSubscriptionView(state.view, event);
    const grantId = 'grantId' in event.data ? event.data.grantId : null;
    return {
      view,
      // Copied, not mutated: a folded state may be kept by the caller (CommandHandler evolves the state it read).
      grantIds: grantId ? new Set(state.grantIds).add(grantId) : state.grantIds,
      consumedRequestIds: event.type === 'CreditsConsumed' ? new Set(state.consumedRequestIds).add(event.data.requestId) : state.consumedRequestIds,
      reminders: event.type === 'ReminderDue' ? new Set(state.reminders).add(reminderId(event.data.endsAt, event.data.daysBefore)) : state.reminders,
    };
  },

  decide: (command, state) => {
    const { view } = state;
    const member = { botId: command.botId, telegramUserId: command.telegramUserId };
    switch (command.type) {
      case 'GrantSubscription':
        if (state.grantIds.has(command.grantId)) return [];
        return grant(state, { ...command, grantId: command.grantId });

      case 'ExtendSubscription': {
        if (state.grantIds.has(command.grantId)) return [];
        if (!Number.isInteger(command.days) || command.days < 1 || command.days > MAX_EXTENSION_DAYS) {
          throw new InvalidAmountError('days', command.days, MAX_EXTENSION_DAYS);
        }
        if (!isRunning(view.period, command.now)) throw new NotSubscribedError(command.botId, command.telegramUserId);
        const { period } = view;
        if (Date.parse(period.endsAt) + command.days * DAY_MS > LAST_END) throw new GrantOutOfRangeError(command.botId, command.telegramUserId, 'the end');
        return [
          {
            type: 'SubscriptionExtended',
            data: {
              ...member,
              // The period keeps what it gives; the extension is the admin's.
              planId: period.planId,
              source: 'admin',
              trial: period.trial,
              grantId: command.grantId,
              entitlements: period.entitlements,
              days: command.days,
              previousEndsAt: period.endsAt,
              endsAt: plusDays(period.endsAt, command.days),
              extendedAt: command.now,
            },
          },
        ];
      }

      case 'StartTrial':
        if (view.trialTaken) throw new TrialAlreadyTakenError(command.botId, command.telegramUserId);
        if (isRunning(view.period, command.now)) throw new AlreadySubscribedError(command.botId, command.telegramUserId);
        return grant(state, { ...command, plan: { ...command.plan, trial: true }, source: 'trial', grantId: null });

      case 'RevokeSubscription': {
        const running = isRunning(view.period, command.now);
        if (!running && view.credits === 0) throw new NotSubscribedError(command.botId, command.telegramUserId);
        const expired: SubscriptionEvent[] = isDue(view.period, command.now) ? [expiry(member, view.period)] : [];
        return [
          ...expired,
          {
            type: 'SubscriptionRevoked',
            data: {
              ...member,
              planId: running ? view.period!.planId : (view.creditsPlan?.planId ?? null),
              reason: command.reason,
              revokedBy: command.revokedBy,
              revokedAt: command.now,
              creditsForfeited: view.credits,
            },
          },
        ];
      }

      case 'CancelRenewal':
        if (!isRunning(view.period, command.now)) throw new NotSubscribedError(command.botId, command.telegramUserId);
        if (view.period.renewalCancelled) return [];
        return [{ type: 'RenewalCancelled', data: { ...member, planId: view.period.planId, endsAt: view.period.endsAt, cancelledAt: command.now } }];

      case 'ResumeRenewal':
        if (!isRunning(view.period, command.now)) throw new NotSubscribedError(command.botId, command.telegramUserId);
        if (!view.period.renewalCancelled) return [];
        {
          // The wallet renewal goes on where it stood: its next attempt, now at the earliest.
          const renewal = view.period.walletRenewal;
          const next = renewal?.nextAttemptAt;
          const renewalAttempt =
            renewal && next ? { attempt: renewal.failures + 1, at: Date.parse(next) > Date.parse(command.now) ? next : command.now } : undefined;
          return [
            {
              type: 'RenewalResumed',
              data: {
                ...member,
                planId: view.period.planId,
                endsAt: view.period.endsAt,
                resumedAt: command.now,
                ...(renewalAttempt ? { renewalAttempt } : {}),
              },
            },
          ];
        }

      case 'RecordRenewalFailure': {
        // Only the attempt that was next, of the running period with that end: a stale one records nothing.
        const { period } = view;
        if (!isRunning(period, command.now) || period.endsAt !== command.endsAt) return [];
        const renewal = period.walletRenewal;
        if (!renewal || command.attempt !== renewal.failures + 1) return [];
        return [
          {
            type: 'RenewalAttemptFailed',
            data: {
              ...member,
              planId: period.planId,
              endsAt: period.endsAt,
              attempt: command.attempt,
              reason: command.reason,
              failedAt: command.now,
              nextAttemptAt: nextRenewalAttemptAt(period.endsAt, command.attempt, command.now),
            },
          },
        ];
      }

      case 'ExpireSubscription':
        // Not due, or recorded already: nothing, so a repeated or early firing changes nothing.
        return isDue(view.period, command.now) ? [expiry(member, view.period)] : [];

      case 'RemindOfEnd': {
        // Nothing for a period that ended, was revoked or moved its end (its reminders are the new end's),
        // nor before the reminder's time, nor a second time.
        const { period } = view;
        if (!isRunning(period, command.now) || period.endsAt !== command.endsAt) return [];
        if (Date.parse(command.now) < Date.parse(period.endsAt) - command.daysBefore * DAY_MS) return [];
        if (state.reminders.has(reminderId(period.endsAt, command.daysBefore))) return [];
        return [
          {
            type: 'ReminderDue',
            data: {
              ...member,
              planId: period.planId,
              trial: period.trial,
              renewalCancelled: period.renewalCancelled,
              endsAt: period.endsAt,
              daysBefore: command.daysBefore,
              remindedAt: command.now,
            },
          },
        ];
      }

      case 'ConsumeCredit':
        if (state.consumedRequestIds.has(command.requestId)) return [];
        if (view.credits <= 0) throw new NoCreditsError(command.botId, command.telegramUserId);
        return [{ type: 'CreditsConsumed', data: { ...member, requestId: command.requestId, balance: view.credits - 1, consumedAt: command.now } }];
    }
  },
};

/** The stream of one member's subscription in one bot. */
export const subscriptionStreamId = (botId: string, telegramUserId: number): string => `subscription-${botId}-${telegramUserId}`;
