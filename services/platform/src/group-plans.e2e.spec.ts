import type { FeatureTestKit, KitBot } from '@botplatform/bot-kit';
import type { RpcClient } from '@botplatform/bus';
import { BotAddedToGroupSchema, RPC, subjectOf, timestampFromDate, type PlanDefinitionJson } from '@botplatform/contracts';
import type { RunningService } from '@botplatform/service-kit';
import { onBotGroupChanged } from '@botplatform/subscriptions';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { startShopHarness, type ShopHarness } from './testing/shop.harness.js';

const plan = (name: string, extra: Partial<PlanDefinitionJson> = {}): PlanDefinitionJson => ({
  texts: [
    { language: 'en', name, description: '' },
    { language: 'ru', name: `${name} (ru)`, description: '' },
  ],
  periodDays: 30,
  prices: [{ currency: 'XTR', amount: '300' }],
  quotaLevel: 'premium',
  active: true,
  ...extra,
});

const buttonsOf = (message: Message) => (message.reply_markup?.inline_keyboard ?? []).flat().map((button) => button.text);

/**
 * `/plans` in a bot of a bot group (ADR 0018): the bot's own plans, then the group-shared plans of the
 * other bots of its group, never another bot's own plans nor a group's plans in a bot outside it. A
 * group plan chosen in bot B is sold and granted in B (paid here from the wallet) and gives access in A.
 */
describe('/plans in a bot of a group', () => {
  let harness: ShopHarness | undefined;
  let subscriptions: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let spin: KitBot;
  let quiz: KitBot;
  let stranger: KitBot;
  const groupId = randomUUID();
  const planIds = { group: randomUUID(), spinOwn: randomUUID(), quizOwn: randomUUID(), strangerOwn: randomUUID() };

  /** The users service's event that puts a bot in the group, through the subscriptions consumer that follows it. */
  const addToGroup = (botId: string) =>
    subscriptions.dependencies.orm.em.fork().transactional((em) =>
      onBotGroupChanged.handle!(
        {
          envelope: {
            eventId: randomUUID(),
            type: 'users.bot_group.bot_added',
            schemaVersion: 1,
            botId,
            streamId: `bot-group-${groupId}`,
            streamPosition: 1n,
            correlationId: randomUUID(),
            occurredAt: new Date(),
          } as never,
          subject: subjectOf(BotAddedToGroupSchema),
          schema: BotAddedToGroupSchema,
          message: create(BotAddedToGroupSchema, { groupId, botId, ownerTelegramUserId: 1n, addedAt: timestampFromDate(new Date()) }),
        },
        { em, attempt: 1, afterCommit: () => undefined } as never,
      ),
    );
  const menuIn = async (bot: KitBot, user: ReturnType<FeatureTestKit['user']>) => {
    const chat = bot.chat(user);
    const menu = chat.waitForMessage((message) => message.reply_markup !== undefined);
    chat.sendCommand('plans');
    return { chat, menu: await menu };
  };

  beforeAll(async () => {
    harness = await startShopHarness('bp_group_plans');
    ({ subscriptions, rpc, kit } = harness);
    spin = harness.shop;
    quiz = await kit.bot({ name: 'Quiz' });
    stranger = await kit.bot({ name: 'Stranger' });
    await rpc.call(RPC.subscriptions.createPlan, { planId: planIds.group, botId: spin.botId, plan: plan('All trainers', { groupShared: true, sortOrder: 2 }) });
    await rpc.call(RPC.subscriptions.createPlan, { planId: planIds.spinOwn, botId: spin.botId, plan: plan('Spin only', { sortOrder: 1 }) });
    await rpc.call(RPC.subscriptions.createPlan, { planId: planIds.quizOwn, botId: quiz.botId, plan: plan('Quiz only') });
    await rpc.call(RPC.subscriptions.createPlan, { planId: planIds.strangerOwn, botId: stranger.botId, plan: plan('Stranger only') });
    await addToGroup(spin.botId);
    await addToGroup(quiz.botId);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("lists the bot's own plans and then its group's shared plans, and nothing of a bot outside the group", async () => {
    const ann = kit.user('Ann', 'en');
    expect(buttonsOf((await menuIn(quiz, ann)).menu)).toEqual(['Quiz only · ⭐ 300', 'All trainers · ⭐ 300']);
    expect(buttonsOf((await menuIn(spin, ann)).menu)).toEqual(['Spin only · ⭐ 300', 'All trainers · ⭐ 300']);
    expect(buttonsOf((await menuIn(stranger, ann)).menu)).toEqual(['Stranger only · ⭐ 300']);
    // Not listed, not sold either: the group's plan id pressed in a bot outside the group is gone.
    const listed = await rpc.call(RPC.subscriptions.listPlans, { botId: stranger.botId, includeGroupShared: true });
    expect((listed.plans ?? []).map((p) => p.planId)).toEqual([planIds.strangerOwn]);
    const inQuiz = await rpc.call(RPC.subscriptions.listPlans, { botId: quiz.botId });
    expect((inQuiz.plans ?? []).map((p) => p.planId)).toEqual([planIds.quizOwn]);
    expect(kit.errors).toEqual([]);
  });

  it('sells the group plan in bot B from the wallet: granted in B, access in A through the group', async () => {
    const boris = kit.user('Boris', 'ru');
    await rpc.call(RPC.payments.topUpWallet, {
      botId: quiz.botId,
      telegramUserId: String(boris.id),
      currency: 'XTR',
      amount: '300',
      requestId: randomUUID(),
      toppedUpBy: 'api:admin',
    });
    const { chat, menu } = await menuIn(quiz, boris);
    expect(buttonsOf(menu)).toEqual(['Quiz only (ru) · ⭐ 300', 'All trainers (ru) · ⭐ 300']);
    const card = chat.waitForEdit((message) => (message.text ?? '').startsWith('All trainers (ru)'));
    await chat.pressCallbackButton(menu, 'All trainers (ru) · ⭐ 300');
    const paid = chat.waitForMessage((message) => (message.text ?? '').includes('All trainers (ru)') && message.reply_markup === undefined);
    const walletButton = buttonsOf(await card).find((text) => /кошел/i.test(text))!;
    const answer = await chat.pressCallbackButton(await card, walletButton);
    expect(answer.showAlert).toBe(false);
    await paid;
    expect(
      (await subscriptions.dependencies.store.readStream(`subscription-${quiz.botId}-${boris.id}`)).events.map((e) => [
        e.type,
        (e.data as { planId: string }).planId,
      ]),
    ).toEqual([['SubscriptionStarted', planIds.group]]);
    expect(await rpc.call(RPC.subscriptions.access, { botId: spin.botId, telegramUserId: String(boris.id) })).toMatchObject({
      hasAccess: true,
      planId: planIds.group,
      viaBotId: quiz.botId,
    });
    expect(kit.errors).toEqual([]);
  });
});
