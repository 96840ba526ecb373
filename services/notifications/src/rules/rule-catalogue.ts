/**
 * The rules: which public event becomes which message, the variables its templates may use, and the
 * category a member can mute. A rule is on for every bot until the bot switches it off.
 */
export const RULES = [
  'welcome',
  'level_reached',
  'badge_awarded',
  'subscription_started',
  'subscription_expired',
  'subscription_ending',
  'trial_ending',
  'renewal_failed',
  'payment_completed',
  'payment_refunded',
  'receipt_approved',
  'receipt_rejected',
] as const;

export type RuleName = (typeof RULES)[number];

/** What a member can mute with /notifications; `payments` is transactional and never muted. */
export const CATEGORIES = ['welcome', 'achievements', 'subscription', 'payments'] as const;

export type Category = (typeof CATEGORIES)[number];

export interface RuleDefinition {
  readonly name: RuleName;
  readonly category: Category;
  /** The variables a template of this rule may use, with a sample value to check a template against. */
  readonly variables: Readonly<Record<string, string | number>>;
  /** Whether a bot that never switched the rule has it on. */
  readonly onByDefault: boolean;
}

export const RULE_DEFINITIONS: Readonly<Record<RuleName, RuleDefinition>> = {
  // Off until a bot switches it on: the bot's own /start already greets a new member, and two greetings
  // for one /start would surprise every bot that has not written a welcome template yet.
  welcome: { name: 'welcome', category: 'welcome', variables: { name: 'Ann' }, onByDefault: false },
  level_reached: { name: 'level_reached', category: 'achievements', variables: { name: 'Ann', level: 3, previous_level: 2, total_xp: 250 }, onByDefault: true },
  badge_awarded: { name: 'badge_awarded', category: 'achievements', variables: { name: 'Ann', badge: 'streak-7' }, onByDefault: true },
  // A started subscription confirms what the member paid for or was given: a receipt, never muted.
  subscription_started: {
    name: 'subscription_started',
    category: 'payments',
    variables: { name: 'Ann', plan: 'monthly', days: 30, ends_at: '2026-12-31', trial: 'no' },
    onByDefault: true,
  },
  subscription_expired: { name: 'subscription_expired', category: 'subscription', variables: { name: 'Ann', plan: 'monthly' }, onByDefault: true },
  // The end reminders of subscriptions.subscription.reminder_due. Off until a bot switches them on: the
  // subscriptions service sends its own reminder (with the plan's name) for the same event, and a member
  // should not get two. A bot that wants its own, mutable wording switches these on (and the service's
  // own reminder is then withheld as superseded, and muted with the `subscription` category in any case:
  // GOVERNED_PURPOSES, send-message.use-case.ts).
  subscription_ending: {
    name: 'subscription_ending',
    category: 'subscription',
    variables: { name: 'Ann', plan: 'monthly', days_left: 3, ends_at: '2026-12-31' },
    onByDefault: false,
  },
  trial_ending: {
    name: 'trial_ending',
    category: 'subscription',
    variables: { name: 'Ann', plan: 'monthly', days_left: 1, ends_at: '2026-12-31' },
    onByDefault: false,
  },
  // A wallet auto-renewal attempt failed: why (`insufficient_balance`, `payments_unavailable`,
  // `plan_unavailable`) and whether (`retry` yes/no) and when (`next_attempt_at`) it is tried again.
  renewal_failed: {
    name: 'renewal_failed',
    category: 'subscription',
    variables: {
      name: 'Ann',
      plan: 'monthly',
      reason: 'insufficient_balance',
      attempt: 1,
      retry: 'yes',
      next_attempt_at: '2026-12-30 12:00 UTC',
      ends_at: '2026-12-31',
    },
    onByDefault: true,
  },
  // Receipts of the payments events, never muted. Off until a bot switches them on: the payments service's
  // own checkout screen already answers the successful and the refunded payment in the chat.
  payment_completed: {
    name: 'payment_completed',
    category: 'payments',
    variables: { name: 'Ann', amount: '250', currency: 'XTR', plan: 'monthly' },
    onByDefault: false,
  },
  payment_refunded: {
    name: 'payment_refunded',
    category: 'payments',
    variables: { name: 'Ann', amount: '250', currency: 'XTR', plan: 'monthly' },
    onByDefault: false,
  },
  // Card-to-card receipts reviewed by an admin (payments.card_transfer.approved / rejected): transactional.
  // Off until a bot switches them on: the payments service's review (card-transfer.feature.ts) already
  // tells the member in their language, approved or rejected with the reason.
  receipt_approved: {
    name: 'receipt_approved',
    category: 'payments',
    variables: { name: 'Ann', tracking: 'C-0042', amount: '4.99', currency: 'EUR', plan: 'monthly' },
    onByDefault: false,
  },
  receipt_rejected: {
    name: 'receipt_rejected',
    category: 'payments',
    variables: { name: 'Ann', tracking: 'C-0042', amount: '4.99', currency: 'EUR', plan: 'monthly', reason: 'No such transfer arrived' },
    onByDefault: false,
  },
};

/**
 * Messages other services ask for with `rpc.notifications.send-message` that the member's mutes and the
 * bot's rules govern, by purpose (send-message.use-case.ts): a member who muted the category gets nothing,
 * and a bot that switched on the rule that words the same message gets the rule's message instead.
 * Purposes not listed are always sent.
 */
export interface GovernedPurpose {
  readonly category: Category;
  /** The rule that supersedes the message, by whether the member's plan is a trial. */
  readonly supersededBy: (trial: boolean) => RuleName;
}

export const GOVERNED_PURPOSES: Readonly<Record<string, GovernedPurpose>> = {
  // The subscriptions service's end reminder, sent for the same subscriptions.subscription.reminder_due.
  'subscriptions:end-reminder': { category: 'subscription', supersededBy: (trial) => (trial ? 'trial_ending' : 'subscription_ending') },
};

/** Categories whose messages are sent even when the member muted them (receipts). */
export const TRANSACTIONAL_CATEGORIES: ReadonlySet<Category> = new Set<Category>(['payments']);

export const isRuleName = (value: string): value is RuleName => (RULES as readonly string[]).includes(value);
export const isCategory = (value: string): value is Category => (CATEGORIES as readonly string[]).includes(value);
