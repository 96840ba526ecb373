import type { BotConfigJson, MemberViewJson, SettingTypeJson } from '@botplatform/contracts';
import { Composer, GrammyError, InlineKeyboard } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import type { MemberAdminAction } from '../users/users.client.js';
import { CallbackData } from './callback-data.js';
import type { FeatureDependencies } from './feature-dependencies.js';
import { fullNameOf, isAdmin, isOwner, roleLabel, statusLabel } from './member-labels.js';

/** Buttons of the admin menu: `adm:<action>[:<arg>...]`, each under Telegram's 64 bytes. */
export const adminButtons = new CallbackData('adm');

const FEATURE = 'admin';
const FIND_LIMIT = 10;
const AUDIT_PAGE = 10;
const FLAG_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** The last argument of a member button under an outcome message: keep its text, add the next outcome. */
const KEEP_TEXT = 'k';
/** Telegram's limit on a message's text. */
const MAX_TEXT = 4096;

/** What the menu waits for after asking a question (kept in `ctx.session.awaiting.step`). */
type AwaitedStep = 'find' | 'block-reason' | 'new-flag' | 'setting';

type PressHandler = (ctx: BotContext, args: readonly string[]) => Promise<string | undefined>;
type AnswerHandler = (ctx: BotContext, text: string, data: Readonly<Record<string, string>>) => Promise<void>;

const RESULT_KEYS: Record<MemberAdminAction, string> = {
  'block-member': 'admin-blocked',
  'unblock-member': 'admin-unblocked',
  'propose-admin': 'admin-admin-proposed',
  'approve-admin': 'admin-admin-approved',
  'revoke-admin': 'admin-admin-revoked',
};

/**
 * `/admin`: the menu of a bot's admins and owner. Counts, find a member, block / unblock with a reason,
 * propose (admins) or approve and revoke (owner) admins, switch flags, write settings, read the audit log.
 * The users service checks the rights again on every change (`admin: "telegram:<id>"`); the checks here
 * only spare non-admins a menu they cannot use. A question ("which user?") is asked in the chat and the
 * next text answers it, through `ctx.session.awaiting`.
 *
 * Install it before the other features: a command sent instead of an awaited answer cancels the question
 * here and then reaches its own feature.
 */
export function adminFeature({ users, memberCache }: FeatureDependencies): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  const adminRef = (ctx: BotContext) => `telegram:${ctx.from!.id}`;

  const changeMember = async (ctx: BotContext, action: MemberAdminAction, target: string, reason?: string) => {
    const { botId } = ctx.tenant;
    const reply = await users.adminAction(action, { botId, admin: adminRef(ctx), targetTelegramUserId: target, ...(reason ? { reason } : {}) });
    // The target's next update must see the change at once, not after the cache's lifetime.
    memberCache.invalidate(botId, target);
    const name = reply.member ? fullNameOf(reply.member) : target;
    const text = reply.changed ? ctx.t(RESULT_KEYS[action], { name, reason: reason ?? '' }) : ctx.t('admin-unchanged', { name });
    return { text, member: reply.member };
  };

  /**
   * A button pressed on a member's card turns the card to the member's new state; pressed under an
   * outcome (the block confirmation, `keep`), it adds the new outcome below the text already there, so
   * the admin still reads what happened before (who was blocked, why).
   */
  const memberAction = async (ctx: BotContext, action: MemberAdminAction, target: string, mode?: string): Promise<string> => {
    const result = await changeMember(ctx, action, target);
    if (!result.member) return result.text;
    if (mode === KEEP_TEXT) {
      const before = ctx.callbackQuery?.message?.text;
      await edit(ctx, appendOutcome(before, result.text), cardKeyboard(ctx, result.member, KEEP_TEXT));
    } else {
      await edit(ctx, cardText(ctx, result.member), cardKeyboard(ctx, result.member));
    }
    return result.text;
  };

  const presses: Record<string, PressHandler> = {
    menu: async (ctx) => {
      await edit(ctx, ctx.t('admin-menu-title'), menuKeyboard(ctx));
      return undefined;
    },
    cnt: async (ctx) => {
      const counts = await users.countMembers({ botId: ctx.tenant.botId });
      // proto3 JSON leaves zeros out.
      const text = ctx.t('admin-counts', {
        members: counts.members ?? 0,
        activeToday: counts.activeToday ?? 0,
        blockedTheBot: counts.blockedTheBot ?? 0,
        blockedByAdmin: counts.blockedByAdmin ?? 0,
        admins: counts.admins ?? 0,
      });
      await edit(ctx, text, backKeyboard(ctx));
      return undefined;
    },
    find: async (ctx) => {
      await ask(ctx, 'find', ctx.t('admin-find-prompt'));
      return undefined;
    },
    u: async (ctx, [target]) => {
      const { member } = await users.getMember({ botId: ctx.tenant.botId, telegramUserId: target! });
      if (!member) return ctx.t('admin-member-gone');
      await edit(ctx, cardText(ctx, member), cardKeyboard(ctx, member));
      return undefined;
    },
    blk: async (ctx, [target]) => {
      const { member } = await users.getMember({ botId: ctx.tenant.botId, telegramUserId: target! });
      if (!member) return ctx.t('admin-member-gone');
      await ask(ctx, 'block-reason', ctx.t('admin-block-prompt', { name: fullNameOf(member) }), { target: target! });
      return undefined;
    },
    unb: (ctx, [target, mode]) => memberAction(ctx, 'unblock-member', target!, mode),
    pro: (ctx, [target, mode]) => memberAction(ctx, 'propose-admin', target!, mode),
    apr: (ctx, [target, mode]) => memberAction(ctx, 'approve-admin', target!, mode),
    rev: (ctx, [target, mode]) => memberAction(ctx, 'revoke-admin', target!, mode),
    flags: async (ctx) => {
      const config = await users.getBotConfig({ botId: ctx.tenant.botId });
      await edit(ctx, flagsText(ctx, config), flagsKeyboard(ctx, config));
      return undefined;
    },
    ft: async (ctx, [value, flag]) => {
      const enabled = value === '1';
      const config = await users.setFeatureFlag({ botId: ctx.tenant.botId, flag: flag!, enabled, changedBy: adminRef(ctx) });
      await edit(ctx, flagsText(ctx, config), flagsKeyboard(ctx, config));
      return ctx.t('admin-flag-changed', { flag: flag!, state: ctx.t(enabled ? 'admin-flag-on' : 'admin-flag-off') });
    },
    nf: async (ctx) => {
      await ask(ctx, 'new-flag', ctx.t('admin-flag-prompt'));
      return undefined;
    },
    set: async (ctx) => {
      await ask(ctx, 'setting', ctx.t('admin-setting-prompt'));
      return undefined;
    },
    aud: async (ctx, [page]) => {
      const cursor = page === 'more' ? ctx.session.adminAuditCursor : undefined;
      if (page === 'more' && !cursor) return ctx.t('admin-audit-expired');
      const reply = await users.queryAudit({ botId: ctx.tenant.botId, limit: AUDIT_PAGE, ...(cursor ? { cursor } : {}) });
      ctx.session.adminAuditCursor = reply.nextCursor;
      const entries = reply.entries ?? [];
      const lines = entries.map((entry) =>
        ctx.t('admin-audit-entry', {
          when: entry.occurredAt ? `${entry.occurredAt.slice(0, 16).replace('T', ' ')} UTC` : '?',
          admin: entry.admin ?? '?',
          action: entry.action ?? '?',
          target: entry.target ?? '',
        }),
      );
      const text = entries.length === 0 ? ctx.t('admin-audit-empty') : [ctx.t('admin-audit-title'), ...lines].join('\n');
      const keyboard = new InlineKeyboard();
      if (reply.nextCursor) keyboard.text(ctx.t('admin-button-more'), adminButtons.encode('aud', 'more'));
      keyboard.text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
      await edit(ctx, text, keyboard);
      return undefined;
    },
  };

  const answers: Record<AwaitedStep, AnswerHandler> = {
    find: async (ctx, query) => {
      const { members = [] } = await users.findMembers({ botId: ctx.tenant.botId, query, limit: FIND_LIMIT });
      if (members.length === 0) {
        await ctx.reply(ctx.t('admin-find-none', { query }), { reply_markup: backKeyboard(ctx) });
        return;
      }
      const keyboard = new InlineKeyboard();
      for (const member of members) {
        const label = `${fullNameOf(member)} (${member.username ? `@${member.username}` : member.telegramUserId})`;
        keyboard.text(label, adminButtons.encode('u', member.telegramUserId!)).row();
      }
      keyboard.text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
      await ctx.reply(ctx.t('admin-find-results', { count: members.length }), { reply_markup: keyboard });
    },
    'block-reason': async (ctx, reason, { target }) => {
      const result = await changeMember(ctx, 'block-member', target!, reason);
      await ctx.reply(result.text, result.member ? { reply_markup: cardKeyboard(ctx, result.member, KEEP_TEXT) } : {});
    },
    'new-flag': async (ctx, text) => {
      const flag = text.trim().toLowerCase();
      if (!FLAG_NAME.test(flag) || !adminButtons.fits('ft', 1, flag)) {
        await ask(ctx, 'new-flag', ctx.t('admin-flag-prompt'));
        return;
      }
      const config = await users.setFeatureFlag({ botId: ctx.tenant.botId, flag, enabled: true, changedBy: adminRef(ctx) });
      await ctx.reply(ctx.t('admin-flag-changed', { flag, state: ctx.t('admin-flag-on') }), { reply_markup: flagsKeyboard(ctx, config) });
    },
    setting: async (ctx, text) => {
      const parsed = parseSetting(text);
      if (!parsed) {
        await ask(ctx, 'setting', ctx.t('admin-setting-invalid'));
        return;
      }
      const { botId } = ctx.tenant;
      const config = await users.getBotConfig({ botId });
      // A setting that exists (or a built-in one) has its type already; a new custom key needs one.
      const known = (config.settings ?? []).some((setting) => setting.key === parsed.key);
      await users.setSetting({
        botId,
        key: parsed.key,
        valueJson: parsed.valueJson,
        changedBy: adminRef(ctx),
        ...(known ? {} : { type: parsed.type }),
      });
      await ctx.reply(ctx.t('admin-setting-changed', { key: parsed.key, value: parsed.valueJson }), { reply_markup: backKeyboard(ctx) });
    },
  };

  feature.command('admin', async (ctx) => {
    if (!isAdmin(ctx.member)) {
      await ctx.reply(ctx.t('admin-not-admin'));
      return;
    }
    await ctx.reply(ctx.t('admin-menu-title'), { reply_markup: menuKeyboard(ctx) });
  });

  feature.callbackQuery(adminButtons.pattern, async (ctx) => {
    if (!isAdmin(ctx.member)) {
      await ctx.answerCallbackQuery({ text: ctx.t('admin-not-admin'), show_alert: true });
      return;
    }
    const command = adminButtons.decode(ctx.callbackQuery.data);
    const press = command ? presses[command.action] : undefined;
    const toast = press ? await press(ctx, command!.args) : undefined;
    await ctx.answerCallbackQuery(toast ? { text: toast } : undefined);
  });

  feature.on('message:text', async (ctx, next) => {
    const awaiting = ctx.session.awaiting;
    if (awaiting?.feature !== FEATURE) return next();
    // Cleared before anything can fail, so a failed answer never leaves the chat stuck in a question.
    ctx.session.awaiting = undefined;
    if (ctx.message.text.startsWith('/')) return next();
    if (!isAdmin(ctx.member)) {
      await ctx.reply(ctx.t('admin-not-admin'));
      return;
    }
    const answer = answers[awaiting.step as AwaitedStep];
    if (answer) await answer(ctx, ctx.message.text.trim(), awaiting.data ?? {});
  });

  return feature;
}

/** Asks a question in the chat; the next text message of this chat answers it. */
async function ask(ctx: BotContext, step: AwaitedStep, question: string, data?: Record<string, string>): Promise<void> {
  ctx.session.awaiting = { feature: FEATURE, step, ...(data ? { data } : {}) };
  await ctx.reply(question);
}

/** Edits the menu message in place; pressing a button that changes nothing is not an error. */
async function edit(ctx: BotContext, text: string, keyboard: InlineKeyboard): Promise<void> {
  try {
    await ctx.editMessageText(text, { reply_markup: keyboard });
  } catch (error) {
    if (error instanceof GrammyError && error.description.includes('message is not modified')) return;
    throw error;
  }
}

function menuKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t('admin-button-counts'), adminButtons.encode('cnt'))
    .text(ctx.t('admin-button-find'), adminButtons.encode('find'))
    .row()
    .text(ctx.t('admin-button-flags'), adminButtons.encode('flags'))
    .text(ctx.t('admin-button-setting'), adminButtons.encode('set'))
    .row()
    .text(ctx.t('admin-button-audit'), adminButtons.encode('aud'));
}

function backKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
}

function cardText(ctx: BotContext, member: MemberViewJson): string {
  return ctx.t('admin-member-card', {
    name: fullNameOf(member),
    username: member.username ? `@${member.username}` : ctx.t('profile-no-username'),
    id: member.telegramUserId ?? '?',
    role: roleLabel(ctx, member),
    status: statusLabel(ctx, member),
  });
}

/**
 * The actions the reader may take on a member: the owner decides on admins, other admins propose them.
 * A member blocked by an admin has no rights to change, so their card offers unblocking only. `mode`
 * (KEEP_TEXT) rides on the member buttons of an outcome message.
 */
function cardKeyboard(ctx: BotContext, member: MemberViewJson, mode?: typeof KEEP_TEXT): InlineKeyboard {
  const target = member.telegramUserId!;
  const button = (action: string) => (mode ? adminButtons.encode(action, target, mode) : adminButtons.encode(action, target));
  const keyboard = new InlineKeyboard();
  if (member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN') {
    keyboard.text(ctx.t('admin-button-unblock'), button('unb'));
    return keyboard.row().text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
  }
  keyboard.text(ctx.t('admin-button-block'), button('blk'));
  const role = member.role ?? 'MEMBER_ROLE_USER';
  if (isOwner(ctx.member)) {
    if (role === 'MEMBER_ROLE_ADMIN') keyboard.text(ctx.t('admin-button-revoke-admin'), button('rev'));
    else if (role === 'MEMBER_ROLE_USER') keyboard.text(ctx.t('admin-button-approve-admin'), button('apr'));
  } else if (role === 'MEMBER_ROLE_USER' && !member.adminPending) {
    keyboard.text(ctx.t('admin-button-propose-admin'), button('pro'));
  }
  return keyboard.row().text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
}

/** The outcomes so far and the new one below; the oldest lines give way when Telegram's limit is near. */
function appendOutcome(before: string | undefined, outcome: string): string {
  let text = before ? `${before}\n${outcome}` : outcome;
  while (text.length > MAX_TEXT && text.includes('\n')) text = text.slice(text.indexOf('\n') + 1);
  return text.slice(-MAX_TEXT);
}

function flagsText(ctx: BotContext, config: BotConfigJson): string {
  return Object.keys(config.flags ?? {}).length === 0 ? ctx.t('admin-flags-none') : ctx.t('admin-flags-title');
}

/** One button per flag showing its state; pressing sets the opposite value (not "toggle", so a double press is harmless). */
function flagsKeyboard(ctx: BotContext, config: BotConfigJson): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const flags = config.flags ?? {};
  for (const flag of Object.keys(flags).sort()) {
    const enabled = flags[flag] === true;
    if (!adminButtons.fits('ft', 1, flag)) continue;
    keyboard.text(`${flag}: ${ctx.t(enabled ? 'admin-flag-on' : 'admin-flag-off')}`, adminButtons.encode('ft', enabled ? 0 : 1, flag)).row();
  }
  return keyboard.text(ctx.t('admin-button-new-flag'), adminButtons.encode('nf')).text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
}

/** A setting as an admin types it: `key=<JSON value>`; the type of a new key follows the value. */
export function parseSetting(text: string): { key: string; valueJson: string; type: SettingTypeJson } | undefined {
  const separator = text.indexOf('=');
  if (separator <= 0) return undefined;
  const key = text.slice(0, separator).trim();
  const raw = text.slice(separator + 1).trim();
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/.test(key) || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const type: SettingTypeJson =
    typeof value === 'string'
      ? 'SETTING_TYPE_STRING'
      : typeof value === 'boolean'
        ? 'SETTING_TYPE_BOOL'
        : typeof value === 'number' && Number.isSafeInteger(value)
          ? 'SETTING_TYPE_INT'
          : 'SETTING_TYPE_JSON';
  return { key, valueJson: JSON.stringify(value), type };
}
