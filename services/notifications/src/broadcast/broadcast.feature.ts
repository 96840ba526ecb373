import { type BotFeatureRouter, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { broadcastButtons, progressButtons, progressText } from './broadcast-progress.js';
import type { BroadcastAudience, BroadcastButton } from './broadcast.decider.js';
import { BroadcastError } from './broadcast.errors.js';
import { type BroadcastActor, type BroadcastPreview, type BroadcastProgress, BroadcastUseCases } from './broadcasts.use-case.js';

export { broadcastButtons } from './broadcast-progress.js';
/** The admin's next message is the broadcast's text. */
export const BROADCAST_TEXT_STEP = 'bc:text';

/** The audiences the screen offers as buttons (the use cases take any `BroadcastAudience`). */
const AUDIENCE_BUTTONS: readonly { key: string; audience: (now: Date) => BroadcastAudience; arg?: string }[] = [
  { key: 'all', audience: () => ({ kind: 'all' }) },
  { key: 'premium', audience: () => ({ kind: 'premium' }) },
  { key: 'free', audience: () => ({ kind: 'free' }) },
  { key: 'trial', audience: () => ({ kind: 'trial' }) },
  { key: 'inactive', audience: () => ({ kind: 'inactive', days: 30 }) },
  { key: 'new', audience: (now) => ({ kind: 'joined_after', date: new Date(now.getTime() - 7 * 86_400_000).toISOString() }) },
  { key: 'en', audience: () => ({ kind: 'language', language: 'en' }) },
  { key: 'ru', audience: () => ({ kind: 'language', language: 'ru' }) },
];

/** A last line `Label | https://…` of the admin's text: a link button under the broadcast. */
const BUTTON_LINE = /^\s*([^|\n]{1,64}?)\s*\|\s*(https?:\/\/\S+)\s*$/i;

/**
 * The admin's message as a broadcast: the text (or a photo's caption) with its last lines of the form
 * `Label | https://link` taken off as link buttons, one a row.
 */
export function composeBroadcast(text: string): { text: string; buttons: BroadcastButton[] } {
  const lines = text.split('\n');
  const buttons: BroadcastButton[] = [];
  for (let match = BUTTON_LINE.exec(lines.at(-1) ?? ''); match && lines.length > 0; match = BUTTON_LINE.exec(lines.at(-1) ?? '')) {
    buttons.unshift({ text: match[1].trim(), url: match[2] });
    lines.pop();
  }
  return { text: lines.join('\n').trim(), buttons };
}

/**
 * `/broadcast` for a bot's admins: the text (the next message, HTML allowed; or a photo with it as the
 * caption; link buttons on its last lines), shown back as members will see it; an audience chosen with a
 * button; how many it reaches, what it costs when paid (in Stars), and a confirm; then one progress
 * message, edited on each press of its buttons (pause, resume, cancel, refresh) and by `BroadcastSender`
 * every few seconds while it sends. The finished report arrives as its own message. Rights come from the
 * update's role, never from a button, and the use cases check again.
 */
@Injectable()
export class BroadcastFeature {
  constructor(private readonly broadcasts: BroadcastUseCases) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    router.command(
      'broadcast',
      { description: { en: translate('en', 'command-broadcast'), ru: translate('ru', 'command-broadcast') }, audience: 'admins' },
      (ctx) => this.open(ctx),
    );
    router.step(BROADCAST_TEXT_STEP, (ctx) => this.refusalsAnswered(ctx, () => this.text(ctx)));
    return router.callback(broadcastButtons, (ctx) => this.refusalsAnswered(ctx, () => this.press(ctx)));
  }

  private open(ctx: FeatureContext): void {
    if (!ctx.isAdmin) {
      ctx.reply(ctx.t('broadcast-not-admin'));
      return;
    }
    ctx.enterStep(BROADCAST_TEXT_STEP);
    ctx.reply(ctx.t('broadcast-ask-text'));
  }

  private async text(ctx: FeatureContext): Promise<void> {
    ctx.leaveStep();
    if (!ctx.isAdmin) {
      ctx.reply(ctx.t('broadcast-not-admin'));
      return;
    }
    const photo = ctx.step?.photo?.fileId;
    const { text, buttons } = composeBroadcast(ctx.step?.text ?? '');
    const id = await this.broadcasts.draft(actorOf(ctx), { text, parseMode: 'HTML', buttons, ...(photo ? { photo } : {}) });
    const links = buttons.length ? buttons.reduce((keyboard, b) => keyboard.url(b.text, b.url).row(), new InlineKeyboard()) : undefined;
    if (photo) ctx.sendPhoto(photo, { ...(text ? { caption: text, parseMode: 'HTML' as const } : {}), ...(links ? { keyboard: links } : {}) });
    else ctx.reply(text, { parseMode: 'HTML', ...(links ? { keyboard: links } : {}) });
    const keyboard = new InlineKeyboard();
    AUDIENCE_BUTTONS.forEach((button, i) => {
      keyboard.text(ctx.t(`broadcast-audience-${button.key}`), broadcastButtons.encode('a', id, button.key));
      if (i % 2 === 1) keyboard.row();
    });
    keyboard.row().text(ctx.t('broadcast-button-cancel'), broadcastButtons.encode('x', id));
    ctx.reply(ctx.t('broadcast-choose-audience'), { keyboard });
  }

  private async press(ctx: FeatureContext): Promise<void> {
    if (!ctx.isAdmin) {
      ctx.answerCallback(ctx.t('broadcast-not-admin'), { alert: true });
      return;
    }
    const [id, arg] = ctx.callback?.args ?? [];
    if (!id) {
      ctx.answerCallback();
      return;
    }
    const actor = actorOf(ctx);
    switch (ctx.callback?.action) {
      case 'a': {
        const button = AUDIENCE_BUTTONS.find((b) => b.key === arg);
        if (!button) break;
        const preview = await this.broadcasts.chooseAudience(actor, id, button.audience(new Date()));
        ctx.edit(this.previewText(ctx, preview, ctx.t(`broadcast-audience-${button.key}`)), {
          keyboard: new InlineKeyboard()
            .text(ctx.t('broadcast-button-confirm'), broadcastButtons.encode('ok', id))
            .text(ctx.t('broadcast-button-cancel'), broadcastButtons.encode('x', id)),
        });
        break;
      }
      case 'ok': {
        // The message pressed becomes the progress message: the sender edits it as the broadcast goes.
        const messageId = Number(ctx.callback?.messageId ?? 0);
        const progressMessage = messageId > 0 ? { chatId: Number(ctx.chatId), messageId } : undefined;
        await this.broadcasts.confirm(actor, id, new Date(), progressMessage);
        await this.showProgress(ctx, actor, id);
        break;
      }
      case 'p':
        await this.broadcasts.pause(actor, id);
        await this.showProgress(ctx, actor, id);
        break;
      case 'r':
        await this.broadcasts.resume(actor, id);
        await this.showProgress(ctx, actor, id);
        break;
      case 'x': {
        const { status } = await this.broadcasts.view(actor, id);
        await this.broadcasts.cancel(actor, id);
        if (status === 'draft') ctx.edit(ctx.t('broadcast-discarded'));
        else await this.showProgress(ctx, actor, id);
        break;
      }
      case 'f':
        await this.showProgress(ctx, actor, id);
        break;
    }
    ctx.answerCallback();
  }

  private previewText(ctx: FeatureContext, preview: BroadcastPreview, audience: string): string {
    const lines = [
      ctx.t('broadcast-preview', { audience, reach: preview.reach, skipped: preview.skipped, minutes: Math.max(1, Math.ceil(preview.etaSeconds / 60)) }),
    ];
    if (preview.paid) lines.push(ctx.t('broadcast-paid-cost', { stars: formatTenths(preview.costTenthsOfStar, ctx.language) }));
    return lines.join('\n');
  }

  private async showProgress(ctx: FeatureContext, actor: BroadcastActor, id: string): Promise<void> {
    const progress = await this.broadcasts.progress(actor, id);
    ctx.edit(
      progressText((key, variables) => ctx.t(key, variables), progress),
      { keyboard: progressKeyboard(ctx, progress, id) },
    );
  }

  /** A refusal (`BroadcastError`) answered in the member's language; anything else is the gateway's to make polite. */
  private async refusalsAnswered(ctx: FeatureContext, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof BroadcastError)) throw error;
      ctx.actions.length = 0;
      const key = `broadcast-error-${error.code.slice('NOTIFICATIONS.BROADCAST_'.length).toLowerCase().replaceAll('_', '-')}`;
      if (ctx.callback) ctx.answerCallback(ctx.t(key), { alert: true });
      else ctx.reply(ctx.t(key));
    }
  }
}

function actorOf(ctx: FeatureContext): BroadcastActor {
  return { botId: ctx.botId, telegramUserId: Number(ctx.telegramUserId), gatewayRole: ctx.isOwner ? 'owner' : 'admin' };
}

function progressKeyboard(ctx: FeatureContext, p: BroadcastProgress, id: string): InlineKeyboard | undefined {
  const row = progressButtons((key, variables) => ctx.t(key, variables), p, id);
  return row.length ? row.reduce((keyboard, button) => keyboard.text(button.text, button.callbackData), new InlineKeyboard()) : undefined;
}

/** 12 tenths → "1.2" ("1,2" in Russian): exact, no floating point. */
function formatTenths(tenths: number, language: string): string {
  return `${Math.floor(tenths / 10)}${language.startsWith('ru') ? ',' : '.'}${tenths % 10}`;
}
