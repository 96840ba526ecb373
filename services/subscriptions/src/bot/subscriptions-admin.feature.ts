import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PlanCatalog } from '../plan/plan-catalog.js';
import type { Plan } from '../plan/plan.entity.js';
import { Clock } from '../shared/clock.js';
import { TELEGRAM_USER_ID } from '../shared/telegram-user-id.js';
import { MAX_ADDED_CREDITS, ManageSubscriptionsUseCase } from '../subscription/manage-subscriptions.use-case.js';
import { SubscriptionDirectory } from '../subscription/subscription-directory.js';
import { MAX_EXTENSION_DAYS } from '../subscription/subscription.decider.js';
import { NotSubscribedError } from '../subscription/subscription.errors.js';
import { formatMoment, formatPrices, planTextIn } from './formatting.js';
import { planGives } from './plans.feature.js';
import { refusalsAnswered } from './refusals.js';
import { statusLines } from './subscription-status.js';

/** Buttons of /subadmin: `subadm:<action>[:<plan id>]`. The member they act on is in the session, never in the data. */
export const subscriptionsAdminButtons = new CallbackData('subadm');

/** The questions of the admin screens; the admin's next text answers them. */
export const SUBSCRIPTIONS_ADMIN_STEPS = {
  member: 'subadm:member',
  grantReason: 'subadm:grant',
  extendDays: 'subadm:extend',
  credits: 'subadm:credits',
  revokeReason: 'subadm:revoke',
} as const;

/** The subscriptions service's slice of a chat's session: the member an admin chose. */
export interface SubscriptionsAdminSession {
  readonly member?: string;
}

const MAX_REASON = 500;

/** Refusals worded for the admin, where the member's wording would speak to the wrong person. */
const ADMIN_REFUSAL_KEYS = { 'SUBSCRIPTIONS.TRIAL_ALREADY_TAKEN': 'subadmin-trial-taken' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type PressHandler = (ctx: FeatureContext, member: string | undefined, args: readonly string[]) => Promise<void>;

/**
 * `/subadmin`: the subscriptions side of a bot's administration (the users service owns `/admin`, and
 * the gateway lets a service put only its own buttons under its messages): the bot's plans; a member
 * found by Telegram id, then grant a plan with a reason, extend by N days, add credits, revoke with a
 * reason. Every screen, press and answer checks the reader's role from the update's context (a button
 * is an address, not a right), and the use cases record the admin (`telegram:<id>`) as the actor.
 */
@Injectable()
export class SubscriptionsAdminFeature {
  constructor(
    private readonly catalog: PlanCatalog,
    private readonly subscriptions: ManageSubscriptionsUseCase,
    private readonly directory: SubscriptionDirectory,
    private readonly clock: Clock,
  ) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    return router
      .command(
        'subadmin',
        { description: { en: translate('en', 'command-subadmin'), ru: translate('ru', 'command-subadmin') }, audience: 'admins' },
        refusalsAnswered(async (ctx) => {
          if (!ctx.isAdmin) {
            ctx.reply(ctx.t('refused-not-an-admin'));
            return;
          }
          ctx.reply(ctx.t('subadmin-title'), { keyboard: menuKeyboard(ctx) });
        }),
      )
      .callback(
        subscriptionsAdminButtons,
        refusalsAnswered((ctx) => this.press(ctx)),
      )
      .step(
        SUBSCRIPTIONS_ADMIN_STEPS.member,
        this.answer((ctx, text) => this.chooseMember(ctx, text)),
      )
      .step(
        SUBSCRIPTIONS_ADMIN_STEPS.grantReason,
        this.answer((ctx, text, member, data) => this.grant(ctx, member, data.planId ?? '', text)),
      )
      .step(
        SUBSCRIPTIONS_ADMIN_STEPS.extendDays,
        this.answer((ctx, text, member) => this.extend(ctx, member, text)),
      )
      .step(
        SUBSCRIPTIONS_ADMIN_STEPS.credits,
        this.answer((ctx, text, member, data) => this.addCredits(ctx, member, data.planId ?? '', text)),
      )
      .step(
        SUBSCRIPTIONS_ADMIN_STEPS.revokeReason,
        this.answer((ctx, text, member) => this.revoke(ctx, member, text)),
      );
  }

  private async press(ctx: FeatureContext): Promise<void> {
    // The role of the context, which the gateway looked up for this update; the button says nothing trusted.
    if (!ctx.isAdmin) {
      ctx.answerCallback(ctx.t('refused-not-an-admin'), { alert: true });
      return;
    }
    const press = this.presses[ctx.callback?.action ?? ''];
    if (press) await press(ctx, chosenMember(ctx), ctx.callback?.args ?? []);
  }

  private readonly presses: Record<string, PressHandler> = {
    menu: async (ctx) => {
      ctx.edit(ctx.t('subadmin-title'), { keyboard: menuKeyboard(ctx) });
    },
    plans: async (ctx) => {
      const plans = await this.catalog.list(ctx.botId);
      const lines = plans.map((plan) =>
        ctx.t('subadmin-plan-line', {
          name: planTextIn(plan.definition.texts, ctx.language).name,
          gives: planGives(ctx, plan),
          price: formatPrices(plan.definition.prices) ?? ctx.t('subadmin-plan-free'),
          state: [plan.active ? ctx.t('subadmin-plan-on-sale') : ctx.t('subadmin-plan-hidden'), ...(plan.trial ? [ctx.t('subadmin-plan-trial')] : [])].join(
            ', ',
          ),
        }),
      );
      const text = plans.length === 0 ? ctx.t('subadmin-plans-none') : [ctx.t('subadmin-plans-title'), ...lines].join('\n');
      ctx.edit(text, { keyboard: new InlineKeyboard().text(ctx.t('button-back'), subscriptionsAdminButtons.encode('menu')) });
    },
    find: async (ctx) => {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.member).reply(ctx.t('subadmin-find-prompt'));
    },
    m: async (ctx, member) => {
      if (!member) return chooseMemberFirst(ctx);
      ctx.edit(await this.card(ctx, member), { keyboard: memberKeyboard(ctx) });
    },
    grant: async (ctx, member) => {
      if (!member) return chooseMemberFirst(ctx);
      const plans = await this.catalog.list(ctx.botId);
      if (plans.length === 0) {
        ctx.answerCallback(ctx.t('subadmin-grant-none'), { alert: true });
        return;
      }
      ctx.edit(ctx.t('subadmin-grant-choose', { id: member }), { keyboard: plansKeyboard(ctx, plans, 'g', member) });
    },
    g: async (ctx, member, [planId = '']) => {
      if (!member) return chooseMemberFirst(ctx);
      const plan = await this.planOf(ctx, planId);
      if (!plan) return;
      ctx
        .enterStep(SUBSCRIPTIONS_ADMIN_STEPS.grantReason, { planId: plan.planId })
        .reply(ctx.t('subadmin-grant-prompt', { plan: nameOf(ctx, plan), id: member }));
    },
    ext: async (ctx, member) => {
      if (!member) return chooseMemberFirst(ctx);
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.extendDays).reply(ctx.t('subadmin-extend-prompt', { id: member, max: String(MAX_EXTENSION_DAYS) }));
    },
    cred: async (ctx, member) => {
      if (!member) return chooseMemberFirst(ctx);
      const packs = (await this.catalog.list(ctx.botId)).filter((plan) => 'credits' in plan.definition.kind);
      if (packs.length === 0) {
        ctx.answerCallback(ctx.t('subadmin-credits-none'), { alert: true });
        return;
      }
      ctx.edit(ctx.t('subadmin-credits-choose', { id: member }), { keyboard: plansKeyboard(ctx, packs, 'c', member) });
    },
    c: async (ctx, member, [planId = '']) => {
      if (!member) return chooseMemberFirst(ctx);
      const plan = await this.planOf(ctx, planId);
      if (!plan) return;
      ctx
        .enterStep(SUBSCRIPTIONS_ADMIN_STEPS.credits, { planId: plan.planId })
        .reply(ctx.t('subadmin-credits-prompt', { plan: nameOf(ctx, plan), id: member, max: String(MAX_ADDED_CREDITS) }));
    },
    rev: async (ctx, member) => {
      if (!member) return chooseMemberFirst(ctx);
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.revokeReason).reply(ctx.t('subadmin-revoke-prompt', { id: member }));
    },
  };

  /** A step's handler: the question left first (a refused answer never leaves the chat stuck), a non-admin refused. */
  private answer(handler: (ctx: FeatureContext, text: string, member: string | undefined, data: Readonly<Record<string, string>>) => Promise<void>) {
    return refusalsAnswered(async (ctx) => {
      ctx.leaveStep();
      if (!ctx.isAdmin) {
        ctx.reply(ctx.t('refused-not-an-admin'));
        return;
      }
      await handler(ctx, (ctx.step?.text ?? '').trim(), chosenMember(ctx), ctx.step?.data ?? {});
    }, ADMIN_REFUSAL_KEYS);
  }

  private async chooseMember(ctx: FeatureContext, text: string): Promise<void> {
    if (!TELEGRAM_USER_ID.test(text)) {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.member).reply(ctx.t('subadmin-find-invalid'));
      return;
    }
    ctx.setSession({ member: text } satisfies SubscriptionsAdminSession);
    ctx.reply(await this.card(ctx, text), { keyboard: memberKeyboard(ctx) });
  }

  private async grant(ctx: FeatureContext, member: string | undefined, planId: string, reason: string): Promise<void> {
    if (!member) return chooseMemberFirst(ctx);
    if (reason.length === 0 || reason.length > MAX_REASON) {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.grantReason, { planId }).reply(ctx.t('subadmin-reason-invalid'));
      return;
    }
    const plan = await this.planOf(ctx, planId);
    if (!plan) return;
    await this.subscriptions.grant({
      botId: ctx.botId,
      telegramUserId: member,
      grantId: grantIdOf(ctx),
      planId: plan.planId,
      source: 'SUBSCRIPTION_SOURCE_ADMIN',
      grantedBy: adminRef(ctx),
      reason,
    });
    await this.outcome(ctx, member, ctx.t('subadmin-granted', { plan: nameOf(ctx, plan), id: member, reason }));
  }

  private async extend(ctx: FeatureContext, member: string | undefined, text: string): Promise<void> {
    if (!member) return chooseMemberFirst(ctx);
    const days = wholeNumber(text, MAX_EXTENSION_DAYS);
    if (days === undefined) {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.extendDays).reply(ctx.t('subadmin-number-invalid', { max: String(MAX_EXTENSION_DAYS) }));
      return;
    }
    try {
      const reply = await this.subscriptions.extend({ botId: ctx.botId, telegramUserId: member, grantId: grantIdOf(ctx), admin: adminRef(ctx), days });
      const end = formatMoment(reply.subscription?.endsAt ?? '', ctx.timeZone);
      await this.outcome(ctx, member, ctx.t('subadmin-extended', { id: member, days, end }));
    } catch (error) {
      if (!(error instanceof NotSubscribedError)) throw error;
      await this.outcome(ctx, member, ctx.t('subadmin-nothing-to-extend', { id: member }));
    }
  }

  private async addCredits(ctx: FeatureContext, member: string | undefined, planId: string, text: string): Promise<void> {
    if (!member) return chooseMemberFirst(ctx);
    const credits = wholeNumber(text, MAX_ADDED_CREDITS);
    if (credits === undefined) {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.credits, { planId }).reply(ctx.t('subadmin-number-invalid', { max: String(MAX_ADDED_CREDITS) }));
      return;
    }
    const reply = await this.subscriptions.addCredits({
      botId: ctx.botId,
      telegramUserId: member,
      grantId: grantIdOf(ctx),
      admin: adminRef(ctx),
      planId,
      credits,
    });
    await this.outcome(ctx, member, ctx.t('subadmin-credits-added', { credits, id: member, balance: String(reply.subscription?.credits ?? 0) }));
  }

  private async revoke(ctx: FeatureContext, member: string | undefined, reason: string): Promise<void> {
    if (!member) return chooseMemberFirst(ctx);
    if (reason.length === 0 || reason.length > MAX_REASON) {
      ctx.enterStep(SUBSCRIPTIONS_ADMIN_STEPS.revokeReason).reply(ctx.t('subadmin-reason-invalid'));
      return;
    }
    try {
      await this.subscriptions.revoke({ botId: ctx.botId, telegramUserId: member, reason, revokedBy: adminRef(ctx) });
      await this.outcome(ctx, member, ctx.t('subadmin-revoked', { id: member, reason }));
    } catch (error) {
      if (!(error instanceof NotSubscribedError)) throw error;
      await this.outcome(ctx, member, ctx.t('subadmin-nothing-to-revoke', { id: member }));
    }
  }

  /** What happened, then the member's subscription as it is now, with the member's buttons to go on. */
  private async outcome(ctx: FeatureContext, member: string, text: string): Promise<void> {
    ctx.reply(`${text}\n\n${await this.card(ctx, member)}`, { keyboard: memberKeyboard(ctx) });
  }

  private async card(ctx: FeatureContext, member: string): Promise<string> {
    const [view, plans] = await Promise.all([this.directory.viewOf(ctx.botId, member), this.catalog.list(ctx.botId, { includeArchived: true })]);
    const names = new Map(plans.map((plan) => [plan.planId, nameOf(ctx, plan)]));
    const never = view.period === null && view.credits === 0;
    const lines = never ? [ctx.t('subadmin-member-none')] : statusLines(ctx, view, (planId) => names.get(planId) ?? '?', this.clock.now());
    return [ctx.t('subadmin-member-title', { id: member }), ...lines].join('\n');
  }

  /** The bot's own plan (another bot's id is not found), or an alert that it is gone. */
  private async planOf(ctx: FeatureContext, planId: string): Promise<Plan | undefined> {
    const plan = UUID.test(planId) ? await this.catalog.find(ctx.botId, planId) : null;
    if (plan && !plan.archived) return plan;
    if (ctx.callback) ctx.answerCallback(ctx.t('refused-plan-gone'), { alert: true });
    else ctx.reply(ctx.t('refused-plan-gone'));
    return undefined;
  }
}

/** The member the admin chose (kept in the session, which only this service writes), if still a Telegram id. */
function chosenMember(ctx: FeatureContext): string | undefined {
  const member = ctx.session<SubscriptionsAdminSession>()?.member;
  return typeof member === 'string' && TELEGRAM_USER_ID.test(member) ? member : undefined;
}

/** The acting admin as the use cases record them: the reader, from the update's context. */
function adminRef(ctx: FeatureContext): string {
  return `telegram:${ctx.telegramUserId}`;
}

/**
 * The change's idempotency key: the update that asked for it, unique in the bot (the stream is the
 * bot's and the member's), so a redelivered update changes nothing twice.
 */
function grantIdOf(ctx: FeatureContext): string {
  return ctx.update.updateId ? `update:${ctx.update.updateId}` : `bot:${randomUUID()}`;
}

function nameOf(ctx: FeatureContext, plan: Plan): string {
  return planTextIn(plan.definition.texts, ctx.language).name;
}

/** A whole number from 1 to `max` as an admin types it ("30"), else undefined. */
function wholeNumber(text: string, max: number): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function chooseMemberFirst(ctx: FeatureContext): void {
  if (ctx.callback) ctx.answerCallback(ctx.t('subadmin-choose-member'), { alert: true });
  else ctx.reply(ctx.t('subadmin-choose-member'), { keyboard: menuKeyboard(ctx) });
}

function menuKeyboard(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t('subadmin-button-plans'), subscriptionsAdminButtons.encode('plans'))
    .text(ctx.t('subadmin-button-find'), subscriptionsAdminButtons.encode('find'));
}

function memberKeyboard(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t('subadmin-button-grant'), subscriptionsAdminButtons.encode('grant'))
    .text(ctx.t('subadmin-button-extend'), subscriptionsAdminButtons.encode('ext'))
    .row()
    .text(ctx.t('subadmin-button-credits'), subscriptionsAdminButtons.encode('cred'))
    .text(ctx.t('subadmin-button-revoke'), subscriptionsAdminButtons.encode('rev'))
    .row()
    .text(ctx.t('button-back'), subscriptionsAdminButtons.encode('menu'));
}

/** One button per plan (`subadm:<action>:<plan id>`, 45 bytes), then back to the member. */
function plansKeyboard(ctx: FeatureContext, plans: readonly Plan[], action: 'g' | 'c', member: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const plan of plans) keyboard.text(nameOf(ctx, plan), subscriptionsAdminButtons.encode(action, plan.planId)).row();
  return keyboard.text(ctx.t('subadmin-button-member', { id: member }), subscriptionsAdminButtons.encode('m'));
}
