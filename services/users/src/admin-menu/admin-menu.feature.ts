import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import type { BotConfigJson, MemberViewJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { BotRegistry } from '../bot/bot-registry.js';
import { parseTelegramUserId } from '../shared/telegram-user-id.js';
import { AdministerMemberUseCase, type MemberAdminAction } from '../user/administer-member.use-case.js';
import { CountMembersUseCase } from '../user/count-members.use-case.js';
import { MemberDirectory } from '../user/member-directory.js';
import { UsersError } from '../users.errors.js';
import { fullNameOf, roleLabel, statusLabel } from './member-labels.js';
import { parseSetting, settingValueTypeOf } from './parse-setting.js';

/** Buttons of the admin menu: `adm:<action>[:<arg>...]`, each under Telegram's 64 bytes. */
export const adminButtons = new CallbackData('adm');

/** The questions the menu asks; the member's next text answers them (`<namespace>:<name>`). */
export const ADMIN_STEPS = {
  find: 'adm:find',
  blockReason: 'adm:block-reason',
  newFlag: 'adm:new-flag',
  setting: 'adm:setting',
} as const;

/** The users service's slice of a chat's session, as far as the menu uses it. */
export interface AdminMenuSession {
  /** The audit log's next page, too long for callback data. */
  readonly auditCursor?: string;
}

const FIND_LIMIT = 10;
const AUDIT_PAGE = 10;
const FLAG_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** The last argument of a member button under an outcome message: keep its text, add the next outcome. */
const KEEP_TEXT = 'k';
/** Telegram's limit on a message's text. */
const MAX_TEXT = 4096;

type PressHandler = (ctx: FeatureContext, args: readonly string[]) => Promise<string | undefined>;

const RESULT_KEYS: Record<MemberAdminAction, string> = {
  BlockMember: 'admin-blocked',
  UnblockMember: 'admin-unblocked',
  ProposeAdmin: 'admin-admin-proposed',
  ApproveAdmin: 'admin-admin-approved',
  RevokeAdmin: 'admin-admin-revoked',
};

/**
 * The refusals of the use cases an admin can cause from the menu, in their language. Anything else
 * (a bug, the database away) is left to the gateway's polite "try again", with its correlation id.
 */
const REFUSAL_KEYS: Readonly<Record<string, string>> = {
  'USERS.NOT_AN_ADMIN': 'admin-refused-not-an-admin',
  'USERS.FORBIDDEN_TENANT': 'admin-refused-not-an-admin',
  'USERS.OWNER_ONLY': 'admin-refused-owner-only',
  'USERS.CANNOT_BLOCK_ADMIN': 'admin-refused-cannot-block',
  'USERS.CANNOT_BLOCK_SELF': 'admin-refused-cannot-block',
  'USERS.NOT_A_MEMBER': 'admin-refused-not-a-member',
  'USERS.INVALID_SETTING': 'admin-refused-invalid-setting',
  'USERS.SETTING_TYPE_MISMATCH': 'admin-refused-invalid-setting',
  'USERS.INVALID_TIMEZONE': 'admin-refused-invalid-setting',
  'USERS.INVALID_FEATURE_FLAG': 'admin-refused-invalid-setting',
  'USERS.REASON_REQUIRED': 'admin-refused-invalid',
  'USERS.INVALID_TELEGRAM_USER_ID': 'admin-refused-invalid',
  'USERS.INVALID_CURSOR': 'admin-refused-invalid',
};

/**
 * `/admin`: the menu of a bot's admins and owner, served by the users service through the bot-features
 * protocol. Counts, find a member, block / unblock with a reason, propose (admins) or approve and revoke
 * (owner) admins, switch flags, write settings, read the audit log. The handlers decide on the reader's
 * role from the update's context (never from callback data), and the use cases check the rights again on
 * every change (`telegram:<id>` as the acting admin), so a forged `adm:` button changes nothing.
 * A question ("which user?") enters a step of the menu; the member's next text answers it.
 */
@Injectable()
export class AdminMenuFeature {
  constructor(
    private readonly countMembers: CountMembersUseCase,
    private readonly administerMember: AdministerMemberUseCase,
    private readonly members: MemberDirectory,
    private readonly registry: BotRegistry,
    private readonly audit: AuditLog,
  ) {}

  /** Adds the menu's command, buttons and questions to the service's router. */
  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    router.command(
      'admin',
      { description: { en: translate('en', 'command-admin'), ru: translate('ru', 'command-admin') }, audience: 'admins' },
      refusalsAnswered((ctx) => this.open(ctx)),
    );
    router.callback(
      adminButtons,
      refusalsAnswered((ctx) => this.press(ctx)),
    );
    router.step(
      ADMIN_STEPS.find,
      this.answer((ctx, query) => this.find(ctx, query)),
    );
    router.step(
      ADMIN_STEPS.blockReason,
      this.answer((ctx, reason, data) => this.block(ctx, data.target ?? '', reason)),
    );
    router.step(
      ADMIN_STEPS.newFlag,
      this.answer((ctx, text) => this.newFlag(ctx, text)),
    );
    router.step(
      ADMIN_STEPS.setting,
      this.answer((ctx, text) => this.setting(ctx, text)),
    );
    return router;
  }

  private async open(ctx: FeatureContext): Promise<void> {
    if (!ctx.isAdmin) {
      ctx.reply(ctx.t('admin-not-admin'));
      return;
    }
    ctx.reply(ctx.t('admin-menu-title'), { keyboard: menuKeyboard(ctx) });
  }

  private async press(ctx: FeatureContext): Promise<void> {
    // The role of the context, which the gateway looked up for this update; the button says nothing trusted.
    if (!ctx.isAdmin) {
      ctx.answerCallback(ctx.t('admin-not-admin'), { alert: true });
      return;
    }
    const press = this.presses[ctx.callback?.action ?? ''];
    const toast = press ? await press(ctx, ctx.callback?.args ?? []) : undefined;
    ctx.answerCallback(toast);
  }

  /** A step's handler: the answer trimmed, the question left (unless asked again), a non-admin refused. */
  private answer(handler: (ctx: FeatureContext, text: string, data: Readonly<Record<string, string>>) => Promise<void>) {
    return refusalsAnswered(async (ctx) => {
      // Left before anything can fail, so a failed answer never leaves the chat stuck in a question.
      ctx.leaveStep();
      if (!ctx.isAdmin) {
        ctx.reply(ctx.t('admin-not-admin'));
        return;
      }
      await handler(ctx, (ctx.step?.text ?? '').trim(), ctx.step?.data ?? {});
    });
  }

  private readonly presses: Record<string, PressHandler> = {
    menu: async (ctx) => {
      ctx.edit(ctx.t('admin-menu-title'), { keyboard: menuKeyboard(ctx) });
      return undefined;
    },
    cnt: async (ctx) => {
      const counts = await this.countMembers.execute({ botId: ctx.botId });
      // proto3 JSON leaves zeros out.
      ctx.edit(
        ctx.t('admin-counts', {
          members: counts.members ?? 0,
          activeToday: counts.activeToday ?? 0,
          blockedTheBot: counts.blockedTheBot ?? 0,
          blockedByAdmin: counts.blockedByAdmin ?? 0,
          admins: counts.admins ?? 0,
        }),
        { keyboard: backKeyboard(ctx) },
      );
      return undefined;
    },
    find: async (ctx) => {
      ask(ctx, ADMIN_STEPS.find, ctx.t('admin-find-prompt'));
      return undefined;
    },
    u: async (ctx, [target = '']) => {
      const member = await this.members.view(ctx.botId, parseTelegramUserId(target));
      if (!member) return ctx.t('admin-member-gone');
      ctx.edit(cardText(ctx, member), { keyboard: cardKeyboard(ctx, member) });
      return undefined;
    },
    blk: async (ctx, [target = '']) => {
      const member = await this.members.view(ctx.botId, parseTelegramUserId(target));
      if (!member) return ctx.t('admin-member-gone');
      ask(ctx, ADMIN_STEPS.blockReason, ctx.t('admin-block-prompt', { name: fullNameOf(member) }), { target });
      return undefined;
    },
    unb: (ctx, [target = '', mode]) => this.memberAction(ctx, 'UnblockMember', target, mode),
    pro: (ctx, [target = '', mode]) => this.memberAction(ctx, 'ProposeAdmin', target, mode),
    apr: (ctx, [target = '', mode]) => this.memberAction(ctx, 'ApproveAdmin', target, mode),
    rev: (ctx, [target = '', mode]) => this.memberAction(ctx, 'RevokeAdmin', target, mode),
    flags: async (ctx) => {
      const config = await this.registry.config(ctx.botId);
      ctx.edit(flagsText(ctx, config), { keyboard: flagsKeyboard(ctx, config) });
      return undefined;
    },
    ft: async (ctx, [value, flag = '']) => {
      const enabled = value === '1';
      const config = await this.registry.setFeatureFlag(ctx.botId, flag, enabled, adminRef(ctx));
      ctx.edit(flagsText(ctx, config), { keyboard: flagsKeyboard(ctx, config) });
      return ctx.t('admin-flag-changed', { flag, state: ctx.t(enabled ? 'admin-flag-on' : 'admin-flag-off') });
    },
    nf: async (ctx) => {
      ask(ctx, ADMIN_STEPS.newFlag, ctx.t('admin-flag-prompt'));
      return undefined;
    },
    set: async (ctx) => {
      ask(ctx, ADMIN_STEPS.setting, ctx.t('admin-setting-prompt'));
      return undefined;
    },
    aud: async (ctx, [page]) => {
      // The cursor is longer than callback data allows: it waits in the service's session slice.
      const cursor = page === 'more' ? ctx.session<AdminMenuSession>()?.auditCursor : undefined;
      if (page === 'more' && !cursor) return ctx.t('admin-audit-expired');
      const reply = await this.audit.query({ botId: ctx.botId, limit: AUDIT_PAGE, ...(cursor ? { cursor } : {}) });
      ctx.setSession(reply.nextCursor ? ({ auditCursor: reply.nextCursor } satisfies AdminMenuSession) : undefined);
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
      ctx.edit(text, { keyboard });
      return undefined;
    },
  };

  private async find(ctx: FeatureContext, query: string): Promise<void> {
    const members = query === '' ? [] : await this.members.find(ctx.botId, query.slice(0, 64), FIND_LIMIT);
    if (members.length === 0) {
      ctx.reply(ctx.t('admin-find-none', { query }), { keyboard: backKeyboard(ctx) });
      return;
    }
    const keyboard = new InlineKeyboard();
    for (const member of members) {
      const label = `${fullNameOf(member)} (${member.username ? `@${member.username}` : member.telegramUserId})`;
      keyboard.text(label, adminButtons.encode('u', member.telegramUserId!)).row();
    }
    keyboard.text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
    ctx.reply(ctx.t('admin-find-results', { count: members.length }), { keyboard });
  }

  private async block(ctx: FeatureContext, target: string, reason: string): Promise<void> {
    const result = await this.changeMember(ctx, 'BlockMember', target, reason);
    ctx.reply(result.text, result.member ? { keyboard: cardKeyboard(ctx, result.member, KEEP_TEXT) } : {});
  }

  private async newFlag(ctx: FeatureContext, text: string): Promise<void> {
    const flag = text.toLowerCase();
    if (!FLAG_NAME.test(flag) || !adminButtons.fits('ft', 1, flag)) {
      ask(ctx, ADMIN_STEPS.newFlag, ctx.t('admin-flag-prompt'));
      return;
    }
    const config = await this.registry.setFeatureFlag(ctx.botId, flag, true, adminRef(ctx));
    ctx.reply(ctx.t('admin-flag-changed', { flag, state: ctx.t('admin-flag-on') }), { keyboard: flagsKeyboard(ctx, config) });
  }

  private async setting(ctx: FeatureContext, text: string): Promise<void> {
    const parsed = parseSetting(text);
    if (!parsed) {
      ask(ctx, ADMIN_STEPS.setting, ctx.t('admin-setting-invalid'));
      return;
    }
    const config = await this.registry.config(ctx.botId);
    // A setting that exists (or a built-in one) has its type already; a new custom key needs one.
    const known = (config.settings ?? []).some((setting) => setting.key === parsed.key);
    const type = known ? undefined : settingValueTypeOf(parsed.type);
    await this.registry.setSetting(ctx.botId, { key: parsed.key, valueJson: parsed.valueJson, ...(type ? { type } : {}) }, adminRef(ctx));
    ctx.reply(ctx.t('admin-setting-changed', { key: parsed.key, value: parsed.valueJson }), { keyboard: backKeyboard(ctx) });
  }

  private async changeMember(ctx: FeatureContext, type: MemberAdminAction, target: string, reason?: string) {
    const reply = await this.administerMember.execute({
      type,
      botId: ctx.botId,
      admin: adminRef(ctx),
      targetTelegramUserId: target,
      ...(reason ? { reason } : {}),
    });
    const name = reply.member ? fullNameOf(reply.member) : target;
    const text = reply.changed ? ctx.t(RESULT_KEYS[type], { name, reason: reason ?? '' }) : ctx.t('admin-unchanged', { name });
    return { text, member: reply.member };
  }

  /**
   * A button pressed on a member's card turns the card to the member's new state; pressed under an
   * outcome (the block confirmation, `keep`), it adds the new outcome below the text already there, so
   * the admin still reads what happened before (who was blocked, why).
   */
  private async memberAction(ctx: FeatureContext, type: MemberAdminAction, target: string, mode?: string): Promise<string> {
    const result = await this.changeMember(ctx, type, target);
    if (!result.member) return result.text;
    if (mode === KEEP_TEXT) {
      ctx.edit(appendOutcome(ctx.callback?.messageText, result.text), { keyboard: cardKeyboard(ctx, result.member, KEEP_TEXT) });
    } else {
      ctx.edit(cardText(ctx, result.member), { keyboard: cardKeyboard(ctx, result.member) });
    }
    return result.text;
  }
}

/** The acting admin as the use cases know them: the reader of the menu, from the update's context. */
function adminRef(ctx: FeatureContext): string {
  return `telegram:${ctx.telegramUserId}`;
}

/**
 * Answers a refusal of the use cases in the reader's language (an alert under a button, a message
 * otherwise) instead of failing the update; what the handler had answered so far is dropped.
 */
function refusalsAnswered(handler: (ctx: FeatureContext) => Promise<void>) {
  return async (ctx: FeatureContext): Promise<void> => {
    try {
      await handler(ctx);
    } catch (error) {
      const key = error instanceof UsersError ? REFUSAL_KEYS[error.code] : undefined;
      if (!key) throw error;
      const asked = ctx.has('leaveStep');
      ctx.actions.length = 0;
      if (asked) ctx.leaveStep();
      if (ctx.callback) ctx.answerCallback(ctx.t(key), { alert: true });
      else ctx.reply(ctx.t(key));
    }
  };
}

/** Asks a question in the chat; the next text message of this chat answers it. */
function ask(ctx: FeatureContext, step: string, question: string, data?: Record<string, string>): void {
  ctx.enterStep(step, data);
  ctx.reply(question);
}

function menuKeyboard(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t('admin-button-counts'), adminButtons.encode('cnt'))
    .text(ctx.t('admin-button-find'), adminButtons.encode('find'))
    .row()
    .text(ctx.t('admin-button-flags'), adminButtons.encode('flags'))
    .text(ctx.t('admin-button-setting'), adminButtons.encode('set'))
    .row()
    .text(ctx.t('admin-button-audit'), adminButtons.encode('aud'));
}

function backKeyboard(ctx: FeatureContext): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
}

function cardText(ctx: FeatureContext, member: MemberViewJson): string {
  return ctx.t('admin-member-card', {
    name: fullNameOf(member),
    username: member.username ? `@${member.username}` : ctx.t('admin-no-username'),
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
function cardKeyboard(ctx: FeatureContext, member: MemberViewJson, mode?: typeof KEEP_TEXT): InlineKeyboard {
  const target = member.telegramUserId!;
  const button = (action: string) => (mode ? adminButtons.encode(action, target, mode) : adminButtons.encode(action, target));
  const keyboard = new InlineKeyboard();
  if (member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN') {
    keyboard.text(ctx.t('admin-button-unblock'), button('unb'));
    return keyboard.row().text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
  }
  keyboard.text(ctx.t('admin-button-block'), button('blk'));
  const role = member.role ?? 'MEMBER_ROLE_USER';
  if (ctx.isOwner) {
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

function flagsText(ctx: FeatureContext, config: BotConfigJson): string {
  return Object.keys(config.flags ?? {}).length === 0 ? ctx.t('admin-flags-none') : ctx.t('admin-flags-title');
}

/** One button per flag showing its state; pressing sets the opposite value (not "toggle", so a double press is harmless). */
function flagsKeyboard(ctx: FeatureContext, config: BotConfigJson): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const flags = config.flags ?? {};
  for (const flag of Object.keys(flags).sort()) {
    const enabled = flags[flag] === true;
    if (!adminButtons.fits('ft', 1, flag)) continue;
    keyboard.text(`${flag}: ${ctx.t(enabled ? 'admin-flag-on' : 'admin-flag-off')}`, adminButtons.encode('ft', enabled ? 0 : 1, flag)).row();
  }
  return keyboard.text(ctx.t('admin-button-new-flag'), adminButtons.encode('nf')).text(ctx.t('admin-button-back'), adminButtons.encode('menu'));
}
