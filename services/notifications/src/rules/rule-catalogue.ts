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
  'payment_completed',
  'payment_refunded',
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
};

/** Categories whose messages are sent even when the member muted them (receipts). */
export const TRANSACTIONAL_CATEGORIES: ReadonlySet<Category> = new Set<Category>(['payments']);

export const isRuleName = (value: string): value is RuleName => (RULES as readonly string[]).includes(value);
export const isCategory = (value: string): value is Category => (CATEGORIES as readonly string[]).includes(value);
