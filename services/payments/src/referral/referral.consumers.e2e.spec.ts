import { EmbeddedEventBus, InProcessBroker, type ConsumerDefinition, type EventConsumerDefinition, type RpcClient } from '@botplatform/bus';
import {
  BotSettingChangedSchema,
  PaymentCompletedSchema,
  PaymentRefundedSchema,
  PaymentRenewedSchema,
  RPC,
  SettingType,
  UserRegisteredSchema,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { paymentsService } from '../payments.service.js';
import { onPaymentEvent } from './on-payment-event.consumer.js';
import { onUsersEvent } from './on-users-event.consumer.js';
import { ReferralCommands } from './referral-commands.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');

/** A public event as a consumer receives it, under a fresh (or the given) event id. */
function delivered<Desc extends DescMessage>(schema: Desc, message: MessageInitShape<Desc>, eventId = randomUUID()): DecodedEvent {
  const envelope = {
    eventId,
    type: schema.typeName,
    schemaVersion: 1,
    botId: '',
    streamId: 'test',
    streamPosition: 1n,
    correlationId: randomUUID(),
    actor: { kind: 'system', id: 'test' },
    occurredAt: T0,
  } as unknown as EventMetadata;
  return { envelope, subject: subjectOf(schema), schema, message: create(schema, message) } as unknown as DecodedEvent;
}

/**
 * The referral consumers of the payments service on a throwaway database, handed events as the bus hands
 * them, again and at once (past the inbox, as after a crash between the effect and the inbox row, or two
 * deliveries in flight): one link per member, one reward per payment and level, one reversal per refund.
 */
describe('Referrals from the users and payments events', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  let members: ConsumerDefinition;
  let payments: ConsumerDefinition;
  let nextUser = 700_000;
  const user = () => String(nextUser++);

  /** A run of events in one transaction, as the bus hands a page to a batch handler (or one by one to `handle`). */
  const deliverRun = async (consumer: ConsumerDefinition, events: readonly DecodedEvent[]) => {
    const em = service.dependencies.orm.em.fork();
    await em.transactional(async (tx) => {
      const context = { em: tx, attempt: 1, afterCommit: () => undefined } as never;
      if (consumer.handleBatch) return consumer.handleBatch(events, context);
      for (const event of events) await (consumer as EventConsumerDefinition).handle(event, context);
    });
  };
  const deliver = (consumer: ConsumerDefinition, event: DecodedEvent) => deliverRun(consumer, [event]);
  const registered = (botId: string, telegramUserId: string, startPayload?: string) =>
    delivered(UserRegisteredSchema, {
      botId,
      userId: randomUUID(),
      telegramUserId: BigInt(telegramUserId),
      firstName: 'Member',
      isPremium: false,
      ...(startPayload ? { startPayload } : {}),
      registeredAt: timestampFromDate(T0),
    });
  const setting = (botId: string, key: string, valueJson: string, at = T0) =>
    delivered(BotSettingChangedSchema, {
      botId,
      key,
      type: SettingType.JSON,
      valueJson,
      description: 'test',
      changedBy: 'operator',
      changedAt: timestampFromDate(at),
    });
  const completed = (botId: string, telegramUserId: string, amount: string, paymentId = randomUUID(), currency = 'XTR') =>
    delivered(PaymentCompletedSchema, {
      paymentId,
      botId,
      telegramUserId: BigInt(telegramUserId),
      planId: randomUUID(),
      currency,
      amount: BigInt(amount),
      chargeId: `charge-${paymentId}`,
      completedAt: timestampFromDate(T0),
      provider: 'stars',
    });
  const refunded = (botId: string, telegramUserId: string, paymentId: string) =>
    delivered(PaymentRefundedSchema, {
      paymentId,
      botId,
      telegramUserId: BigInt(telegramUserId),
      planId: randomUUID(),
      currency: 'XTR',
      amount: 250n,
      chargeId: `charge-${paymentId}`,
      reason: 'asked',
      refundedBy: 'api:admin',
      refundedAt: timestampFromDate(T0),
    });
  const renewed = (botId: string, telegramUserId: string, paymentId: string, chargeId: string) =>
    delivered(PaymentRenewedSchema, {
      paymentId,
      botId,
      telegramUserId: BigInt(telegramUserId),
      planId: randomUUID(),
      currency: 'XTR',
      amount: 250n,
      chargeId,
      renewedAt: timestampFromDate(T0),
    });
  const sql = <T extends object>(query: string, parameters: unknown[]) => runSql<T>(service.dependencies.orm.em.fork(), query, parameters);
  const linksOf = (botId: string) =>
    sql<{ referred: string; referrer: string }>(
      `SELECT referred_telegram_user_id::text AS referred, referrer_telegram_user_id::text AS referrer FROM payments.referral_links WHERE bot_id = $1 ORDER BY 1`,
      [botId],
    );
  const ledgerOf = async (botId: string, telegramUserId: string) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId, lastEntries: 50 }))
      .entries!.map((entry) => `${entry.kind}:${entry.amount}`)
      .reverse();
  const balanceOf = async (botId: string, telegramUserId: string) =>
    (await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId })).balances?.find((b) => b.currency === 'XTR')?.amount ?? '0';
  const streamTypes = async (streamId: string) => (await service.dependencies.store.readStream(streamId)).events.map((event) => event.type);

  /** A bot whose chain is root ← middle ← leaf, with the given settings. */
  async function chain(settings: Record<string, string>) {
    const botId = randomUUID();
    for (const [key, value] of Object.entries(settings)) await deliver(members, setting(botId, key, value));
    const [root, middle, leaf] = [user(), user(), user()];
    await deliver(members, registered(botId, root));
    await deliver(members, registered(botId, middle, `ref_${root}`));
    await deliver(members, registered(botId, leaf, `ref_${middle}`));
    return { botId, root, middle, leaf };
  }

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_referrals');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    service = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    rpc = createRpcClient({ kind: 'in-process', broker });
    const referrals = new ReferralCommands(service.dependencies.store, service.dependencies.orm);
    members = onUsersEvent(referrals);
    payments = onPaymentEvent(referrals);
  });

  afterAll(async () => {
    await rpc?.close();
    await service?.close();
    await bus?.close();
    await database?.drop();
  });

  it('follows the users and its own payments under durable names the service runs', () => {
    expect(members).toMatchObject({ name: 'payments--referral-members', source: 'users' });
    expect(members.subjects).toEqual([subjectOf(UserRegisteredSchema), subjectOf(BotSettingChangedSchema)]);
    expect(payments).toMatchObject({ name: 'payments--referral-rewards', source: 'payments' });
    expect(payments.subjects).toEqual([subjectOf(PaymentCompletedSchema), subjectOf(PaymentRenewedSchema), subjectOf(PaymentRefundedSchema)]);
    expect(paymentsService.consumers?.(service.dependencies).map((consumer) => consumer.name)).toEqual([
      'payments--referral-members',
      'payments--referral-rewards',
    ]);
  });

  it('links a member on the first join through ref_<id> of a member of the same bot, once; ignores a self-referral and an unknown referrer', async () => {
    const botId = randomUUID();
    const otherBot = randomUUID();
    const [ann, bob, cat, dan, eve, stranger] = [user(), user(), user(), user(), user(), user()];
    await deliver(members, registered(botId, ann));
    await deliver(members, registered(otherBot, stranger));
    const bobJoined = registered(botId, bob, `ref_${ann}`);
    await deliver(members, bobJoined);
    // Redelivered, and delivered again at once: one link.
    await deliver(members, bobJoined);
    await Promise.all(Array.from({ length: 5 }, () => deliver(members, bobJoined)));
    // Bob's membership seen again naming another referrer (his first join decided).
    await deliver(members, registered(botId, bob, `ref_${stranger}`));
    await deliver(members, registered(botId, cat, `ref_${cat}`));
    // A member of another bot, and an id nobody has: no referrer in this bot.
    await deliver(members, registered(botId, dan, `ref_${stranger}`));
    await deliver(members, registered(botId, eve, 'ref_999999999'));
    expect(await linksOf(botId)).toEqual([{ referred: bob, referrer: ann }]);
    expect(await streamTypes(`referral-${botId}-${bob}`)).toEqual(['ReferralLinked']);
    expect(await streamTypes(`referral-${botId}-${cat}`)).toEqual([]);
    // The link is public: payments.referral.joined.v1.
    const [stored] = (await service.dependencies.store.readStream(`referral-${botId}-${bob}`)).events;
    const published = paymentsService.toPublic!(stored!);
    expect(published?.schema.typeName).toBe('botplatform.payments.v1.ReferralJoined');
    expect(published?.message).toMatchObject({ botId, referredTelegramUserId: BigInt(bob), referrerTelegramUserId: BigInt(ann) });
  });

  it('notes a run of joins at once, each referral judged on the members who joined before it in the run', async () => {
    const botId = randomUUID();
    const [ann, bob, cat, dan] = [user(), user(), user(), user()];
    // Bob names Ann, who joined before him in the run; Cat names Dan, who joins after her.
    await deliverRun(members, [registered(botId, ann), registered(botId, bob, `ref_${ann}`), registered(botId, cat, `ref_${dan}`), registered(botId, dan)]);
    expect(await linksOf(botId)).toEqual([{ referred: bob, referrer: ann }]);
    const noted = await runSql<{ telegram_user_id: string }>(
      service.dependencies.orm.em.fork(),
      'SELECT telegram_user_id::text FROM payments.referral_members WHERE bot_id = $1 ORDER BY telegram_user_id',
      [botId],
    );
    expect(noted.map((row) => row.telegram_user_id)).toEqual([ann, bob, cat, dan].sort());
  });

  it('rewards two levels of the chain once per payment and level, under redelivery and concurrent delivery', async () => {
    const { botId, root, middle, leaf } = await chain({ referral_percent: '[10, 2.5]', referral_levels: '2' });
    const paymentId = randomUUID();
    const event = completed(botId, leaf, '250', paymentId);
    await deliver(payments, event);
    await deliver(payments, event);
    await Promise.all(Array.from({ length: 8 }, () => deliver(payments, event)));
    // 10 % of 250 to the middle, 2.5 % (6.25, rounded down) to the root; the payer earns nothing.
    expect(await ledgerOf(botId, middle)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:25']);
    expect(await ledgerOf(botId, root)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:6']);
    expect(await ledgerOf(botId, leaf)).toEqual([]);
    expect(await streamTypes(`referral-reward-${paymentId}`)).toEqual(['ReferralRewarded', 'ReferralRewarded']);

    // The middle member's own payment: only the root earns (level 1 for it).
    await Promise.all(Array.from({ length: 4 }, () => deliver(payments, completed(botId, middle, '1000', randomUUID()))));
    expect(await balanceOf(botId, root)).toBe(String(6 + 4 * 100));
    // A payment of the root (no referrer) rewards nobody.
    const rootPayment = randomUUID();
    await deliver(payments, completed(botId, root, '1000', rootPayment));
    expect(await streamTypes(`referral-reward-${rootPayment}`)).toEqual([]);
  });

  it('stops at the levels the bot set, and rewards nothing when referrals are off', async () => {
    const oneLevel = await chain({ referral_percent: '10' });
    await deliver(payments, completed(oneLevel.botId, oneLevel.leaf, '250'));
    expect(await ledgerOf(oneLevel.botId, oneLevel.middle)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:25']);
    expect(await ledgerOf(oneLevel.botId, oneLevel.root)).toEqual([]);

    const off = await chain({});
    await deliver(payments, completed(off.botId, off.leaf, '250'));
    expect(await ledgerOf(off.botId, off.middle)).toEqual([]);

    // Turned off later (the last change wins, an older one arriving late does not undo it).
    await deliver(members, setting(oneLevel.botId, 'referral_percent', '0', new Date(T0.getTime() + 60_000)));
    await deliver(members, setting(oneLevel.botId, 'referral_percent', '50', new Date(T0.getTime() + 30_000)));
    await deliver(payments, completed(oneLevel.botId, oneLevel.leaf, '250'));
    expect(await ledgerOf(oneLevel.botId, oneLevel.middle)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:25']);
  });

  it('takes the rewards back on refund once, at most what the wallet holds when the reward was spent', async () => {
    const { botId, root, middle, leaf } = await chain({ referral_percent: '10', referral_levels: '2' });
    const paymentId = randomUUID();
    await deliver(payments, completed(botId, leaf, '250', paymentId));
    expect([await balanceOf(botId, middle), await balanceOf(botId, root)]).toEqual(['25', '25']);
    // The root spends 20 of its 25 before the refund.
    await rpc.call(RPC.payments.spendFromWallet, { botId, telegramUserId: root, currency: 'XTR', amount: '20', requestId: randomUUID() });

    const refund = refunded(botId, leaf, paymentId);
    await deliver(payments, refund);
    await deliver(payments, refund);
    await Promise.all(Array.from({ length: 5 }, () => deliver(payments, refunded(botId, leaf, paymentId))));
    expect(await ledgerOf(botId, middle)).toEqual(['WALLET_ENTRY_KIND_REFERRAL_REWARD:25', 'WALLET_ENTRY_KIND_REFERRAL_REVERSAL:-25']);
    expect(await ledgerOf(botId, root)).toEqual([
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:25',
      'WALLET_ENTRY_KIND_SPEND:-20',
      'WALLET_ENTRY_KIND_REFERRAL_REVERSAL:-5',
    ]);
    expect([await balanceOf(botId, middle), await balanceOf(botId, root)]).toEqual(['0', '0']);
    expect(await streamTypes(`referral-reward-${paymentId}`)).toEqual(['ReferralRewarded', 'ReferralRewarded', 'ReferralRewardsReversed']);

    // Topped up later, the completion redelivered: nothing is given or taken again.
    await rpc.call(RPC.payments.topUpWallet, { botId, telegramUserId: root, currency: 'XTR', amount: '100', requestId: randomUUID(), toppedUpBy: 'api:admin' });
    await deliver(payments, completed(botId, leaf, '250', paymentId));
    await deliver(payments, refund);
    expect(await balanceOf(botId, root)).toBe('100');
    expect(await balanceOf(botId, middle)).toBe('0');

    // A refund of a payment that rewarded nobody writes nothing.
    const unrewarded = randomUUID();
    await deliver(payments, refunded(botId, root, unrewarded));
    expect(await streamTypes(`referral-reward-${unrewarded}`)).toEqual([]);
  });

  it('rewards each renewal charge of a Stars subscription once; a refund takes back only the first charge’s rewards', async () => {
    const { botId, middle, leaf } = await chain({ referral_percent: '10' });
    const paymentId = randomUUID();
    await deliver(payments, completed(botId, leaf, '250', paymentId));
    const renewal = renewed(botId, leaf, paymentId, 'charge-renewal-1');
    await deliver(payments, renewal);
    await Promise.all(Array.from({ length: 4 }, () => deliver(payments, renewal)));
    await deliver(payments, renewed(botId, leaf, paymentId, 'charge-renewal-2'));
    expect(await ledgerOf(botId, middle)).toEqual([
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:25',
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:25',
      'WALLET_ENTRY_KIND_REFERRAL_REWARD:25',
    ]);
    expect(await streamTypes(`referral-reward-${paymentId}-renewal-charge-renewal-1`)).toEqual(['ReferralRewarded']);

    await deliver(payments, refunded(botId, leaf, paymentId));
    expect(await balanceOf(botId, middle)).toBe('50');
    expect((await ledgerOf(botId, middle)).at(-1)).toBe('WALLET_ENTRY_KIND_REFERRAL_REVERSAL:-25');
    const rows = await sql<{ renewal_charge_id: string; reversed: boolean }>(
      'SELECT renewal_charge_id, reversed_at IS NOT NULL AS reversed FROM payments.referral_rewards WHERE payment_id = $1 ORDER BY 1',
      [paymentId],
    );
    expect(rows).toEqual([
      { renewal_charge_id: '', reversed: true },
      { renewal_charge_id: 'charge-renewal-1', reversed: false },
      { renewal_charge_id: 'charge-renewal-2', reversed: false },
    ]);
  });

  it('rewards in the payment’s currency, exactly in minor units', async () => {
    const { botId, middle } = await chain({ referral_percent: '3.33' });
    const leafOfMiddle = user();
    await deliver(members, registered(botId, leafOfMiddle, `ref_${middle}`));
    // 3.33 % of 9 007 199 254 740 993 (above 2^53, where a double would round) = 299 939 735 182 875.0669… → …875.
    await deliver(payments, completed(botId, leafOfMiddle, '9007199254740993', randomUUID(), 'USD'));
    const reply = await rpc.call(RPC.payments.getWalletBalance, { botId, telegramUserId: middle });
    expect(reply.balances).toEqual([{ currency: 'USD', amount: '299939735182875' }]);
  });
});
