import { CommandHandler, runSql, type EventContext, type PostgresEventStore } from '@botplatform/event-store';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { WalletCommands } from '../wallet/wallet-commands.js';
import { referralLinkDecider, referralLinkStreamId, type LinkReferral, type ReferralLinkEvent, type ReferralLinkState } from './referral-link.decider.js';
import {
  referralRewardDecider,
  referralRewardStreamId,
  type ReferralChainLink,
  type ReferralRewardCommand,
  type ReferralRewardData,
  type ReferralRewardEvent,
  type ReferralRewardState,
} from './referral-reward.decider.js';
import { REFERRAL_LEVELS_SETTING, REFERRAL_PERCENT_SETTING, referralSharesOf } from './referral-settings.js';
import { referralsProjection } from './referrals.projection.js';

/** The wallet entry of a reward and of its reversal: once per payment (and renewal charge) and level (the wallet's idempotency key). */
export const rewardEntryId = (paymentId: string, level: number, renewalChargeId?: string): string =>
  renewalChargeId ? `referral:${paymentId}:renewal:${renewalChargeId}:${level}` : `referral:${paymentId}:${level}`;
export const reversalEntryId = (paymentId: string, level: number): string => `referral-reversal:${paymentId}:${level}`;

/** What a consumer hands over: the transaction its inbox row commits in, and the event's causal chain. */
export interface ReferralWrite {
  readonly em: EntityManager;
  readonly context: EventContext;
}

/**
 * Runs the referral deciders on their locked streams inside the consumer's transaction, so the link, the
 * rewards, their wallet entries and the event's inbox row commit together (a redelivery finds it all
 * done, a concurrent one waits on the stream lock and then decides nothing).
 */
export class ReferralCommands {
  private readonly links: CommandHandler<ReferralLinkState, LinkReferral, ReferralLinkEvent>;
  private readonly rewards: CommandHandler<ReferralRewardState, ReferralRewardCommand, ReferralRewardEvent>;
  private readonly wallet: WalletCommands;

  constructor(store: PostgresEventStore, orm: MikroORM) {
    this.links = new CommandHandler(store, referralLinkDecider, { projections: [referralsProjection], lockStream: true });
    this.rewards = new CommandHandler(store, referralRewardDecider, { projections: [referralsProjection], lockStream: true });
    this.wallet = new WalletCommands(store, orm);
  }

  /**
   * Members who joined with no referrer, noted in one statement (a run of /starts). One with a referrer
   * goes through `memberJoined`, after the members that joined before it.
   */
  async membersJoined(members: readonly { botId: string; telegramUserId: string; joinedAt: string }[], em: EntityManager): Promise<void> {
    if (members.length === 0) return;
    await runSql(
      em,
      `INSERT INTO payments.referral_members (bot_id, telegram_user_id, joined_at)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [members.map((m) => m.botId), members.map((m) => m.telegramUserId), members.map((m) => m.joinedAt)],
    );
  }

  /** A member joined: noted as a member of the bot (a later referrer), and linked when their payload names one. */
  async memberJoined(
    input: { botId: string; telegramUserId: string; joinedAt: string; referrerTelegramUserId: string | null },
    { em, context }: ReferralWrite,
  ): Promise<void> {
    await runSql(em, 'INSERT INTO payments.referral_members (bot_id, telegram_user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      input.botId,
      input.telegramUserId,
      input.joinedAt,
    ]);
    if (input.referrerTelegramUserId === null) return;
    const [known] = await runSql<{ known: boolean }>(em, 'SELECT true AS known FROM payments.referral_members WHERE bot_id = $1 AND telegram_user_id = $2', [
      input.botId,
      input.referrerTelegramUserId,
    ]);
    await this.links.handle(
      referralLinkStreamId(input.botId, input.telegramUserId),
      {
        type: 'LinkReferral',
        botId: input.botId,
        referredTelegramUserId: input.telegramUserId,
        referrerTelegramUserId: input.referrerTelegramUserId,
        referrerIsMember: known !== undefined,
        joinedAt: input.joinedAt,
      },
      context,
      { em },
    );
  }

  /**
   * A completed payment (or a renewal charge of its Stars subscription): each referrer up the chain earns the
   * bot's share of its level into their wallet, once.
   */
  async paymentCompleted(
    payment: { botId: string; paymentId: string; renewalChargeId?: string; telegramUserId: string; currency: string; amount: string },
    { em, context }: ReferralWrite,
  ): Promise<void> {
    const shares = await this.sharesOf(em, payment.botId);
    if (shares.length === 0) return;
    const chain = await this.chainOf(em, payment.botId, payment.telegramUserId, shares);
    if (chain.length === 0) return;
    const result = await this.rewards.handle(
      referralRewardStreamId(payment.paymentId, payment.renewalChargeId),
      {
        type: 'RewardReferrers',
        botId: payment.botId,
        paymentId: payment.paymentId,
        ...(payment.renewalChargeId ? { renewalChargeId: payment.renewalChargeId } : {}),
        referredTelegramUserId: payment.telegramUserId,
        currency: payment.currency,
        amount: payment.amount,
        chain,
        now: context.occurredAt.toISOString(),
      },
      context,
      { em },
    );
    // Every reward of the payment is in the wallet (its entry id makes a second record a no-op).
    for (const reward of result.state.rewards.values()) {
      await this.toWallet(
        reward,
        'referral_reward',
        rewardEntryId(reward.paymentId, reward.level, reward.renewalChargeId),
        `level ${reward.level}`,
        reward.rewardedAt,
        {
          em,
          context,
        },
      );
    }
  }

  /**
   * A refunded payment: every reward its first charge gave (a refund gives that charge back) is taken back
   * from the referrers' wallets, once (at most their balance).
   */
  async paymentRefunded(payment: { botId: string; paymentId: string; reason: string }, { em, context }: ReferralWrite): Promise<void> {
    const [given] = await runSql<{ given: boolean }>(
      em,
      "SELECT true AS given FROM payments.referral_rewards WHERE payment_id = $1 AND renewal_charge_id = '' LIMIT 1",
      [payment.paymentId],
    );
    if (!given) return;
    const result = await this.rewards.handle(
      referralRewardStreamId(payment.paymentId),
      { type: 'ReverseReferralRewards', botId: payment.botId, paymentId: payment.paymentId, reason: payment.reason, now: context.occurredAt.toISOString() },
      context,
      { em },
    );
    if (!result.state.reversed) return;
    for (const reward of result.state.rewards.values()) {
      await this.toWallet(reward, 'referral_reversal', reversalEntryId(reward.paymentId, reward.level), 'payment refunded', context.occurredAt.toISOString(), {
        em,
        context,
      });
    }
  }

  /** A reward (or its reversal) as a wallet entry of the referrer, in the same transaction; once per entry id. */
  private async toWallet(
    reward: ReferralRewardData,
    kind: 'referral_reward' | 'referral_reversal',
    entryId: string,
    reason: string,
    now: string,
    { em, context }: ReferralWrite,
  ): Promise<void> {
    await this.wallet.record(
      {
        type: 'RecordWalletEntry',
        botId: reward.botId,
        telegramUserId: reward.referrerTelegramUserId,
        currency: reward.currency,
        kind,
        entryId,
        amount: reward.amount,
        by: 'payments',
        reference: reward.paymentId,
        reason,
        now,
      },
      context.actor,
      { em },
    );
  }

  /** The bot's referral settings as last published by the users service. */
  async sharesOf(em: EntityManager, botId: string): Promise<number[]> {
    const rows = await runSql<{ key: string; value_json: string }>(em, 'SELECT key, value_json FROM payments.referral_settings WHERE bot_id = $1', [botId]);
    const value = (key: string) => rows.find((row) => row.key === key)?.value_json;
    return referralSharesOf(value(REFERRAL_PERCENT_SETTING), value(REFERRAL_LEVELS_SETTING));
  }

  /** The referrers above the member, level by level, as far as the bot's levels reach (a loop is cut). */
  private async chainOf(em: EntityManager, botId: string, telegramUserId: string, shares: readonly number[]): Promise<ReferralChainLink[]> {
    const chain: ReferralChainLink[] = [];
    const seen = new Set([telegramUserId]);
    let current = telegramUserId;
    for (const [index, basisPoints] of shares.entries()) {
      const [link] = await runSql<{ referrer: string }>(
        em,
        'SELECT referrer_telegram_user_id::text AS referrer FROM payments.referral_links WHERE bot_id = $1 AND referred_telegram_user_id = $2',
        [botId, current],
      );
      if (!link || seen.has(link.referrer)) break;
      seen.add(link.referrer);
      chain.push({ level: index + 1, referrerTelegramUserId: link.referrer, basisPoints });
      current = link.referrer;
    }
    return chain;
  }
}
