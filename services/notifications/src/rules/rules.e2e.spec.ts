import { EmbeddedEventBus, InProcessBroker, RpcCallError, type RpcClient } from '@botplatform/bus';
import {
  BadgeAwardedSchema,
  BotSettingChangedSchema,
  IdentityProfileChangedSchema,
  MemberStatusChangedSchema,
  MessageDeliveredSchema,
  RPC,
  rpcErrorDetailsOf,
  LevelReachedSchema,
  MemberLanguageChangedSchema,
  MessageDeliveryFailedSchema,
  SubscriptionExpiredSchema,
  SubscriptionStartedSchema,
  UserRegisteredSchema,
  subjectOf,
  type DecodedEvent,
  type EventMetadata,
} from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { createRpcClient, startService, type RunningService, type RpcTransport } from '@botplatform/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';
import type { MessageSendRequested } from '../outbound/outbound-message.decider.js';
import { NotificationPreferences } from '../preferences/notification-preferences.js';
import { SourceServices } from '../testing/source-services.harness.js';
import { onGamificationEvent } from './on-gamification-event.consumer.js';
import { RuleDispatcher } from './rule-dispatcher.js';

const BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b01';
const OTHER_BOT = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b02';

describe('Rules: events become messages, once, in the member’s language', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let sources: SourceServices;
  let rpc: RpcClient;
  let nextUser = 5_000;

  const at = new Date('2026-11-30T12:00:00Z').toISOString();
  // Counted in the table: the store's readAll stops below the oldest transaction open anywhere on the
  // server, which other test files' transactions can hold back.
  const requested = async (): Promise<{ data: MessageSendRequested['data']; streamId: string }[]> =>
    (
      await runSql<{ data: MessageSendRequested['data']; stream_id: string }>(
        service.dependencies.orm.em.fork(),
        "SELECT data, stream_id FROM notifications.event_store_events WHERE type = 'MessageSendRequested' ORDER BY global_position",
      )
    ).map((row) => ({ data: row.data, streamId: row.stream_id }));
  const messagesTo = async (telegramUserId: number) => (await requested()).filter((e) => e.data.chatId === telegramUserId);
  const decided = async (telegramUserId: number) =>
    runSql<{ rule: string; outcome: string }>(
      service.dependencies.orm.em.fork(),
      "SELECT rule, outcome FROM notifications.notification_rule_sends WHERE telegram_user_id = $1 AND rule <> 'welcome' ORDER BY decided_at",
      [telegramUserId],
    );

  /** A member registered with the bot (Telegram language `language`), known to the service once this resolves. */
  const member = async (language?: string, botId = BOT): Promise<number> => {
    const telegramUserId = ++nextUser;
    await sources.publish('users', UserRegisteredSchema, botId, {
      botId,
      userId: randomUUID(),
      telegramUserId: String(telegramUserId),
      firstName: `Ann${telegramUserId}`,
      ...(language ? { languageCode: language } : {}),
      isPremium: false,
      registeredAt: at,
    });
    await waitFor('the recipient row', async () =>
      (await runSql(service.dependencies.orm.em.fork(), 'SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [telegramUserId]))
        .length > 0
        ? true
        : undefined,
    );
    return telegramUserId;
  };
  const levelUp = (telegramUserId: number, toLevel = 3, botId = BOT) =>
    sources.publish('gamification', LevelReachedSchema, botId, {
      botId,
      telegramUserId: String(telegramUserId),
      fromLevel: toLevel - 1,
      toLevel,
      totalXp: '250',
      reachedAt: at,
    });

  beforeAll(async () => {
    database = await createTestDatabase('bp_notif_rules');
    bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
    sources = await SourceServices.start(database.url, bus, ['users', 'gamification', 'subscriptions', 'gateway']);
  });

  afterAll(async () => {
    await rpc?.close();
    await sources?.close();
    await bus?.close();
    await service?.close();
    await database?.drop();
  });

  it('sends exactly one level-up message, in the member’s Telegram language, through the outbound path', async () => {
    const ru = await member('ru');
    const en = await member('en-GB');
    await levelUp(ru, 4);
    await levelUp(en, 2);

    const [toRu] = await waitFor('the ru message', async () => ((await messagesTo(ru)).length ? messagesTo(ru) : undefined));
    const [toEn] = await waitFor('the en message', async () => ((await messagesTo(en)).length ? messagesTo(en) : undefined));
    expect(toRu.data).toMatchObject({ botId: BOT, chatId: ru, text: `🎉 Ann${ru}, вы достигли уровня 4!`, purpose: 'notifications:level_reached' });
    expect(toEn.data.text).toBe(`🎉 Ann${en}, you reached level 2!`);
    // The message is the send-message command's own event on its own outbound stream, which the gateway delivers.
    expect(toRu.streamId).toBe(`outbound-${toRu.data.requestId}`);
  });

  it('follows the language the member chose in the bot over Telegram’s', async () => {
    const chooser = await member('en');
    await sources.publish('users', MemberLanguageChangedSchema, BOT, {
      botId: BOT,
      userId: randomUUID(),
      telegramUserId: String(chooser),
      languageCode: 'ru',
      changedAt: at,
    });
    await waitFor('the override', async () =>
      (
        await runSql<{ language_override: string | null }>(
          service.dependencies.orm.em.fork(),
          'SELECT language_override FROM notifications.notification_recipients WHERE telegram_user_id = $1',
          [chooser],
        )
      )[0]?.language_override === 'ru'
        ? true
        : undefined,
    );
    await sources.publish('gamification', BadgeAwardedSchema, BOT, { botId: BOT, telegramUserId: String(chooser), badgeKey: 'streak-7', awardedAt: at });
    const [message] = await waitFor('the badge message', async () => ((await messagesTo(chooser)).length ? messagesTo(chooser) : undefined));
    expect(message.data.text).toBe(`🏅 Ann${chooser}, вы получили значок «streak-7»!`);
  });

  it('falls back to English for a language without templates', async () => {
    const de = await member('de');
    await levelUp(de, 5);
    const [message] = await waitFor('the message', async () => ((await messagesTo(de)).length ? messagesTo(de) : undefined));
    expect(message.data.text).toBe(`🎉 Ann${de}, you reached level 5!`);
  });

  it('sends nothing new when the same event is delivered again, even past the bus’s inbox', async () => {
    const telegramUserId = await member('en');
    const message = { botId: BOT, telegramUserId: String(telegramUserId), fromLevel: 6, toLevel: 7, totalXp: '900', reachedAt: at };
    const eventId = await sources.publish('gamification', LevelReachedSchema, BOT, message);
    await waitFor('the first message', async () => ((await messagesTo(telegramUserId)).length ? true : undefined));

    // The same event as a fresh consumer (a replay, a renamed durable) would receive it: the inbox does not know it.
    const again = decoded(LevelReachedSchema, eventId, BOT, message);
    const consumer = onGamificationEvent(new RuleDispatcher(service.dependencies.store));
    for (let i = 0; i < 3; i++) {
      await service.dependencies.orm.em.fork().transactional((em) => consumer.handle!(again, { em, attempt: 2, afterCommit: () => {} }));
    }
    expect(await messagesTo(telegramUserId)).toHaveLength(1);
    expect(await decided(telegramUserId)).toEqual([{ rule: 'level_reached', outcome: 'requested' }]);
  });

  it('sends nothing of a muted category, while a transactional message (a subscription receipt) still arrives', async () => {
    const telegramUserId = await member('en');
    await service.app.get(NotificationPreferences).setMuted(BOT, telegramUserId, 'achievements', true);
    await service.app.get(NotificationPreferences).setMuted(BOT, telegramUserId, 'subscription', true);
    await levelUp(telegramUserId, 9);
    await sources.publish('subscriptions', SubscriptionStartedSchema, BOT, {
      botId: BOT,
      telegramUserId: String(telegramUserId),
      planId: 'monthly',
      source: 'SUBSCRIPTION_SOURCE_PAYMENT',
      trial: false,
      startedAt: at,
      endsAt: new Date(Date.parse(at) + 30 * 86_400_000).toISOString(),
    });
    await sources.publish('subscriptions', SubscriptionExpiredSchema, BOT, {
      botId: BOT,
      telegramUserId: String(telegramUserId),
      planId: 'monthly',
      endedAt: at,
    });
    await waitFor('three decisions', async () => ((await decided(telegramUserId)).length === 3 ? true : undefined));
    expect(await decided(telegramUserId)).toEqual(
      expect.arrayContaining([
        { rule: 'level_reached', outcome: 'muted' },
        { rule: 'subscription_started', outcome: 'requested' },
        { rule: 'subscription_expired', outcome: 'muted' },
      ]),
    );
    const messages = await messagesTo(telegramUserId);
    expect(messages.map((m) => m.data.text)).toEqual(['Your subscription is active: 30 days, until 2026-12-30.']);
  });

  const blockedOf = async (telegramUserId: number) =>
    (
      await runSql<{ blocked_bot: boolean }>(
        service.dependencies.orm.em.fork(),
        'SELECT blocked_bot FROM notifications.notification_recipients WHERE telegram_user_id = $1',
        [telegramUserId],
      )
    )[0]?.blocked_bot;
  const forbidden = (chatId: number) =>
    sources.publish('gateway', MessageDeliveryFailedSchema, BOT, {
      requestId: randomUUID(),
      botId: BOT,
      chatId: String(chatId),
      failure: 'DELIVERY_FAILURE_FORBIDDEN',
      description: 'Forbidden: bot was blocked by the user',
      attempts: 1,
      failedAt: at,
    });

  it('sends nothing to a member whose last message came back 403', async () => {
    const telegramUserId = await member('en');
    await forbidden(telegramUserId);
    await waitFor('blocked-the-bot', async () => ((await blockedOf(telegramUserId)) ? true : undefined));
    await levelUp(telegramUserId, 3);
    await waitFor('the decision', async () => ((await decided(telegramUserId)).length === 1 ? true : undefined));
    expect(await decided(telegramUserId)).toEqual([{ rule: 'level_reached', outcome: 'unreachable' }]);
    expect(await messagesTo(telegramUserId)).toEqual([]);
  });

  it('takes a member’s last outcome as whether they block the bot, however the outcomes are grouped into runs', async () => {
    const cameBack = await member('en');
    const leftSince = await member('en');
    const delivered = (chatId: number) =>
      sources.publish('gateway', MessageDeliveredSchema, BOT, {
        requestId: randomUUID(),
        botId: BOT,
        chatId: String(chatId),
        messageId: '5',
        attempts: 1,
        deliveredAt: at,
      });
    // Published back to back, so the consumer mostly takes them in one run.
    await forbidden(cameBack);
    await delivered(cameBack);
    await delivered(leftSince);
    await forbidden(leftSince);
    await waitFor('the last outcome applied', async () => ((await blockedOf(leftSince)) ? true : undefined));
    expect(await blockedOf(cameBack)).toBe(false);
  });

  describe('switched per bot', () => {
    const BOT_OFF = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b03';

    it('sends nothing for a rule the bot switched off, and again once it is back on', async () => {
      await expect(rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT_OFF, rule: 'level_reached', enabled: false })).resolves.toEqual({
        botId: BOT_OFF,
        rule: 'level_reached',
        enabled: false,
      });
      const telegramUserId = await member('en', BOT_OFF);
      await levelUp(telegramUserId, 2, BOT_OFF);
      await waitFor('the decision', async () => ((await decided(telegramUserId)).length === 1 ? true : undefined));
      expect(await decided(telegramUserId)).toEqual([{ rule: 'level_reached', outcome: 'rule_off' }]);

      // Another rule of the same bot, and the same rule of another bot, are untouched.
      await sources.publish('gamification', BadgeAwardedSchema, BOT_OFF, {
        botId: BOT_OFF,
        telegramUserId: String(telegramUserId),
        badgeKey: 'b',
        awardedAt: at,
      });
      await waitFor('the badge message', async () => ((await messagesTo(telegramUserId)).length === 1 ? true : undefined));

      await rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT_OFF, rule: 'level_reached', enabled: true });
      await levelUp(telegramUserId, 3, BOT_OFF);
      await waitFor('the level message', async () => ((await messagesTo(telegramUserId)).length === 2 ? true : undefined));
      expect((await messagesTo(telegramUserId)).map((m) => m.data.purpose)).toEqual(['notifications:badge_awarded', 'notifications:level_reached']);
    });

    it('sends the welcome only to bots that switched it on', async () => {
      await rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT_OFF, rule: 'welcome', enabled: true });
      const welcomed = await member('ru', BOT_OFF);
      const notWelcomed = await member('ru', BOT);
      const [welcome] = await waitFor('the welcome', async () => ((await messagesTo(welcomed)).length ? messagesTo(welcomed) : undefined));
      expect(welcome.data.text).toBe(`Добро пожаловать, Ann${welcomed}!`);
      expect(await messagesTo(notWelcomed)).toEqual([]);
    });

    it('welcomes each of a run of new members once, in their language, and none of a bot with it off', async () => {
      await rpc.call(RPC.notifications.setRuleEnabled, { botId: BOT_OFF, rule: 'welcome', enabled: true });
      // Published back to back: the consumer takes them as a run (one statement for the rows, one for the sends).
      const joining = [
        { botId: BOT_OFF, language: 'en' },
        { botId: BOT, language: 'en' },
        { botId: BOT_OFF, language: 'ru' },
        { botId: BOT_OFF, language: undefined },
      ].map((joiner) => ({ ...joiner, telegramUserId: ++nextUser }));
      for (const { botId, language, telegramUserId } of joining) {
        await sources.publish('users', UserRegisteredSchema, botId, {
          botId,
          userId: randomUUID(),
          telegramUserId: String(telegramUserId),
          firstName: `Ann${telegramUserId}`,
          ...(language ? { languageCode: language } : {}),
          isPremium: false,
          registeredAt: at,
        });
      }
      const [first, off, second, third] = joining.map((j) => j.telegramUserId);
      const sends = await waitFor('every registration decided', async () => {
        const rows = await runSql<{ telegram_user_id: string; outcome: string }>(
          service.dependencies.orm.em.fork(),
          "SELECT telegram_user_id::text, outcome FROM notifications.notification_rule_sends WHERE rule = 'welcome' AND telegram_user_id = ANY($1) ORDER BY telegram_user_id",
          [joining.map((j) => j.telegramUserId)],
        );
        return rows.length === joining.length ? rows : undefined;
      });
      expect(sends.map((row) => row.outcome)).toEqual(['requested', 'rule_off', 'requested', 'requested']);
      for (const [telegramUserId, text] of [
        [first, `Welcome, Ann${first}!`],
        [second, `Добро пожаловать, Ann${second}!`],
        [third, `Welcome, Ann${third}!`],
      ] as const) {
        const messages = await waitFor('the welcome', async () => ((await messagesTo(telegramUserId)).length ? messagesTo(telegramUserId) : undefined));
        expect(messages.map((m) => m.data.text)).toEqual([text]);
      }
      expect(await messagesTo(off)).toEqual([]);
    });

    it('refuses an unknown rule with a field error', async () => {
      const error = (await rpc
        .call(RPC.notifications.setRuleEnabled, { botId: BOT_OFF, rule: 'birthday', enabled: false })
        .catch((e: unknown) => e)) as RpcCallError;
      expect(error.code).toBe('VALIDATION.FAILED');
      expect(Object.keys(error.fields ?? {})).toEqual(['rule']);
    });
  });

  describe('templates', () => {
    const BOT_T = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b04';
    const templates = () => runSql(service.dependencies.orm.em.fork(), 'SELECT * FROM notifications.notification_templates WHERE bot_id = $1', [BOT_T]);

    it('refuses a template with a variable the rule does not offer, with field errors, writing nothing', async () => {
      const error = (await rpc
        .call(RPC.notifications.setTemplate, { botId: BOT_T, rule: 'level_reached', language: 'en', source: 'Level { $level }! Coins: { $coins }' })
        .catch((e: unknown) => e)) as RpcCallError;
      expect(error).toBeInstanceOf(RpcCallError);
      expect(error.code).toBe('NOTIFICATIONS.INVALID_TEMPLATE');
      const details = rpcErrorDetailsOf(error, 'NOTIFICATIONS.INVALID_TEMPLATE');
      expect(details?.fields.map((f) => f.field)).toEqual(['source']);
      expect(details?.fields[0].problems.join()).toContain('$coins');
      expect(details?.offeredVariables).toEqual(['name', 'level', 'previous_level', 'total_xp']);
      expect(await templates()).toEqual([]);
    });

    it('refuses a template that does not parse, writing nothing', async () => {
      await expect(
        rpc.call(RPC.notifications.setTemplate, { botId: BOT_T, rule: 'level_reached', language: 'en', source: 'Level { $level' }),
      ).rejects.toMatchObject({ code: 'NOTIFICATIONS.INVALID_TEMPLATE' });
      expect(await templates()).toEqual([]);
    });

    it('words the next message with the bot’s template, plurals in the member’s language, others still on the defaults', async () => {
      const source =
        '{ $name }, уровень { $level }: { $total_xp ->\n    [one] { $total_xp } очко\n    [few] { $total_xp } очка\n   *[many] { $total_xp } очков\n}';
      await expect(rpc.call(RPC.notifications.setTemplate, { botId: BOT_T, rule: 'level_reached', language: 'ru', source })).resolves.toEqual({
        botId: BOT_T,
        rule: 'level_reached',
        language: 'ru',
        replaced: false,
      });
      const ru = await member('ru', BOT_T);
      const en = await member('en', BOT_T);
      await sources.publish('gamification', LevelReachedSchema, BOT_T, {
        botId: BOT_T,
        telegramUserId: String(ru),
        fromLevel: 1,
        toLevel: 2,
        totalXp: '102',
        reachedAt: at,
      });
      await levelUp(en, 2, BOT_T);
      const [toRu] = await waitFor('the ru message', async () => ((await messagesTo(ru)).length ? messagesTo(ru) : undefined));
      const [toEn] = await waitFor('the en message', async () => ((await messagesTo(en)).length ? messagesTo(en) : undefined));
      expect(toRu.data.text).toBe(`Ann${ru}, уровень 2: 102 очка`);
      expect(toEn.data.text).toBe(`🎉 Ann${en}, you reached level 2!`);
    });
  });

  it('sends nothing to a member an admin blocked, nor to one who blocked the bot, and again once they are back', async () => {
    const telegramUserId = await member('en');
    const statusChange = (status: string, previousStatus: string) =>
      sources.publish('users', MemberStatusChangedSchema, BOT, {
        botId: BOT,
        userId: randomUUID(),
        telegramUserId: String(telegramUserId),
        status,
        previousStatus,
        changedBy: 'system',
        changedAt: at,
      });
    const reachable = (expected: { status: string; blocked_bot: boolean }) =>
      waitFor(`the member ${JSON.stringify(expected)}`, async () => {
        const [row] = await runSql<{ status: string; blocked_bot: boolean }>(
          service.dependencies.orm.em.fork(),
          'SELECT status, blocked_bot FROM notifications.notification_recipients WHERE telegram_user_id = $1',
          [telegramUserId],
        );
        return row?.status === expected.status && row.blocked_bot === expected.blocked_bot ? true : undefined;
      });

    await statusChange('MEMBER_STATUS_BLOCKED_BY_ADMIN', 'MEMBER_STATUS_ACTIVE');
    await reachable({ status: 'blocked', blocked_bot: false });
    await levelUp(telegramUserId, 2);
    await statusChange('MEMBER_STATUS_BOT_BLOCKED_BY_USER', 'MEMBER_STATUS_BLOCKED_BY_ADMIN');
    await reachable({ status: 'active', blocked_bot: true });
    await levelUp(telegramUserId, 3);
    await waitFor('two decisions', async () => ((await decided(telegramUserId)).length === 2 ? true : undefined));

    // A message delivered to them again (they wrote to the bot, a service sent one) means they are back.
    await sources.publish('gateway', MessageDeliveredSchema, BOT, {
      requestId: randomUUID(),
      botId: BOT,
      chatId: String(telegramUserId),
      messageId: '7',
      attempts: 1,
      deliveredAt: at,
    });
    await reachable({ status: 'active', blocked_bot: false });
    await levelUp(telegramUserId, 4);
    await waitFor('the message', async () => ((await messagesTo(telegramUserId)).length ? true : undefined));
    expect(await decided(telegramUserId)).toEqual([
      { rule: 'level_reached', outcome: 'unreachable' },
      { rule: 'level_reached', outcome: 'unreachable' },
      { rule: 'level_reached', outcome: 'requested' },
    ]);
    expect((await messagesTo(telegramUserId)).map((m) => m.data.text)).toEqual([`🎉 Ann${telegramUserId}, you reached level 4!`]);
  });

  it('follows the bot’s default language when the member’s has no template, and Telegram’s language changes', async () => {
    const BOT_RU = '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b05';
    await sources.publish('users', BotSettingChangedSchema, BOT_RU, {
      botId: BOT_RU,
      key: 'default_language',
      type: 'SETTING_TYPE_STRING',
      valueJson: '"ru"',
      description: 'Language of users whose Telegram language the bot does not speak',
      changedBy: 'system',
      changedAt: at,
    });
    const de = await member('de', BOT_RU);
    await levelUp(de, 2, BOT_RU);
    const [first] = await waitFor('the message', async () => ((await messagesTo(de)).length ? messagesTo(de) : undefined));
    expect(first.data.text).toBe(`🎉 Ann${de}, вы достигли уровня 2!`);

    await sources.publish('users', IdentityProfileChangedSchema, BOT_RU, {
      botId: BOT_RU,
      userId: randomUUID(),
      telegramUserId: String(de),
      firstName: 'Anna',
      languageCode: 'en',
      isPremium: false,
      changedAt: at,
    });
    await waitFor('the new name', async () =>
      (
        await runSql(
          service.dependencies.orm.em.fork(),
          "SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1 AND first_name = 'Anna'",
          [de],
        )
      ).length
        ? true
        : undefined,
    );
    await levelUp(de, 3, BOT_RU);
    await waitFor('the second message', async () => ((await messagesTo(de)).length === 2 ? true : undefined));
    expect((await messagesTo(de))[1].data.text).toBe('🎉 Anna, you reached level 3!');
  });

  it('keeps plans and their ends in the audience', async () => {
    const telegramUserId = await member('en', OTHER_BOT);
    const endsAt = '2027-01-15T00:00:00.000Z';
    await sources.publish('subscriptions', SubscriptionStartedSchema, OTHER_BOT, {
      botId: OTHER_BOT,
      telegramUserId: String(telegramUserId),
      planId: 'trial-7',
      source: 'SUBSCRIPTION_SOURCE_TRIAL',
      trial: true,
      startedAt: at,
      endsAt,
    });
    const row = await waitFor('the plan', async () => {
      const [found] = await runSql<{ plan_id: string | null; plan_trial: boolean | null; plan_ends_at: string | null }>(
        service.dependencies.orm.em.fork(),
        'SELECT plan_id, plan_trial, plan_ends_at FROM notifications.notification_recipients WHERE telegram_user_id = $1',
        [telegramUserId],
      );
      return found?.plan_id ? found : undefined;
    });
    expect({ ...row, plan_ends_at: new Date(row.plan_ends_at!) }).toEqual({ plan_id: 'trial-7', plan_trial: true, plan_ends_at: new Date(endsAt) });
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
