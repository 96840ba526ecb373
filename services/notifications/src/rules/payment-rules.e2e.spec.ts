import { type RpcClient } from '@botplatform/bus';
import {
  LevelReachedSchema,
  PaymentCompletedSchema,
  PaymentRefundedSchema,
  RPC,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { type RunningService } from '@botplatform/service-kit';
import { sleep, waitFor } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { NotificationPreferences } from '../preferences/notification-preferences.js';
import { startRulesRig, type RulesRig } from '../testing/rules-rig.harness.js';
import type { SourceServices } from '../testing/source-services.harness.js';
import { onPaymentsEvent } from './on-payments-event.consumer.js';
import { RuleDispatcher } from './rule-dispatcher.js';

const BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9c01';
const QUIET_BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9c02';

describe('Payment rules: receipts from the payments events, and what follows a payment', () => {
  let rig: RulesRig;
  let service: RunningService;
  let sources: SourceServices;
  let rpc: RpcClient;
  const at = new Date('2026-11-30T12:00:00Z').toISOString();
  const messagesTo = (telegramUserId: number) => rig.messagesTo(telegramUserId);
  const decided = (telegramUserId: number) => rig.decided(telegramUserId);
  const member = (language: string, botId = BOT): Promise<number> => rig.member(language, botId);
  const completed = (telegramUserId: number, botId = BOT) => ({
    paymentId: randomUUID(),
    botId,
    telegramUserId: String(telegramUserId),
    planId: 'monthly',
    currency: 'XTR',
    amount: '250',
    chargeId: `charge-${randomUUID()}`,
    completedAt: at,
  });

  beforeAll(async () => {
    rig = await startRulesRig('bp_notif_payment_rules', ['users', 'gamification', 'payments'], { firstUser: 7000, at });
    ({ service, sources, rpc } = rig);
    for (const rule of ['payment_completed', 'payment_refunded']) await rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT, rule, enabled: true });
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('sends the receipt, then exactly one level-up message of the level the payment brought, in the member’s language', async () => {
    const ru = await member('ru');
    await sources.publish('payments', PaymentCompletedSchema, BOT, completed(ru));
    // What the payment earned in gamification, published as its level-up.
    await sources.publish('gamification', LevelReachedSchema, BOT, {
      botId: BOT,
      telegramUserId: String(ru),
      fromLevel: 1,
      toLevel: 2,
      totalXp: '120',
      reachedAt: at,
    });
    await waitFor('two messages', async () => ((await messagesTo(ru)).length === 2 ? true : undefined));
    await sleep(300);
    const texts = (await messagesTo(ru)).map((message) => message.text);
    expect(texts.filter((text) => text.includes('уровня'))).toEqual([`🎉 Ann${ru}, вы достигли уровня 2!`]);
    expect(texts.filter((text) => text.startsWith('🧾'))).toEqual([`🧾 Ann${ru}, мы получили ваш платёж: 250 XTR. Спасибо!`]);
  });

  it('sends nothing of a muted category, while the payment receipt and the refund still arrive', async () => {
    const en = await member('en');
    const preferences = service.app.get(NotificationPreferences);
    for (const category of ['achievements', 'subscription', 'welcome'] as const) await preferences.setMuted(BOT, en, category, true);
    const paid = completed(en);
    await sources.publish('payments', PaymentCompletedSchema, BOT, paid);
    await sources.publish('gamification', LevelReachedSchema, BOT, {
      botId: BOT,
      telegramUserId: String(en),
      fromLevel: 2,
      toLevel: 3,
      totalXp: '300',
      reachedAt: at,
    });
    const { completedAt: _completedAt, ...refund } = paid;
    await sources.publish('payments', PaymentRefundedSchema, BOT, { ...refund, reason: 'asked', refundedBy: 'telegram:1', refundedAt: at });
    await waitFor('three decisions', async () => ((await decided(en)).length === 3 ? true : undefined));
    expect(await decided(en)).toEqual(
      expect.arrayContaining([
        { rule: 'payment_completed', outcome: 'requested' },
        { rule: 'level_reached', outcome: 'muted' },
        { rule: 'payment_refunded', outcome: 'requested' },
      ]),
    );
    expect((await messagesTo(en)).map((message) => message.text).sort()).toEqual(
      [`🧾 Ann${en}, we received your payment of 250 XTR. Thank you!`, `↩️ Ann${en}, your payment of 250 XTR was refunded.`].sort(),
    );
    // Receipts cannot be muted at all: the category is transactional.
    await expect(preferences.setMuted(BOT, en, 'payments', true)).rejects.toThrow();
  });

  it('sends nothing new when the payment event is delivered again, even past the bus’s inbox, however often and at once', async () => {
    const telegramUserId = await member('en');
    const paid = completed(telegramUserId);
    const eventId = await sources.publish('payments', PaymentCompletedSchema, BOT, paid);
    await waitFor('the receipt', async () => ((await messagesTo(telegramUserId)).length ? true : undefined));
    const consumer = onPaymentsEvent(new RuleDispatcher(service.dependencies.store));
    const again = decoded(PaymentCompletedSchema, eventId, BOT, paid);
    await Promise.allSettled(
      [0, 1, 2, 3].map(() => service.dependencies.orm.em.fork().transactional((em) => consumer.handle!(again, { em, attempt: 2, afterCommit: () => {} }))),
    );
    expect(await messagesTo(telegramUserId)).toHaveLength(1);
    expect(await decided(telegramUserId)).toEqual([{ rule: 'payment_completed', outcome: 'requested' }]);
  });

  it('sends no payment receipt for a bot that did not switch the rule on (its checkout screen answers already)', async () => {
    const telegramUserId = await member('en', QUIET_BOT);
    await sources.publish('payments', PaymentCompletedSchema, QUIET_BOT, completed(telegramUserId, QUIET_BOT));
    await waitFor('the decision', async () => ((await decided(telegramUserId)).length ? true : undefined));
    expect(await decided(telegramUserId)).toEqual([{ rule: 'payment_completed', outcome: 'rule_off' }]);
    expect(await messagesTo(telegramUserId)).toEqual([]);
  });
});

/** A public event as a consumer receives it. */
function decoded<Desc extends DescMessage>(schema: Desc, eventId: string, botId: string, message: JsonValue): DecodedEvent<Desc> {
  const envelope = {
    eventId,
    type: schema.typeName,
    schemaVersion: 1,
    botId,
    streamId: 'replayed',
    streamPosition: 1n,
    correlationId: randomUUID(),
    actor: { kind: 'system', id: 'test' },
    occurredAt: new Date(),
  } as unknown as EventMetadata;
  return { envelope, subject: subjectOf(schema), schema, message: fromJson(schema, message) };
}
