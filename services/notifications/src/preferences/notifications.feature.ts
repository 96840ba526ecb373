import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { isCategory, TRANSACTIONAL_CATEGORIES } from '../rules/rule-catalogue.js';
import { NotificationPreferences } from './notification-preferences.js';

/** Buttons of the screen: `ntf:t:<category>` switches one category. */
export const notificationButtons = new CallbackData('ntf');

/**
 * `/notifications`: a member sees every category the rules send in, muted or not, and switches one with
 * a button. A press acts on the presser's own preferences only (their Telegram id from the update, never
 * from the button), and a transactional category has no button: payment receipts always arrive.
 */
@Injectable()
export class NotificationsFeature {
  constructor(private readonly preferences: NotificationPreferences) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    router.command(
      'notifications',
      { description: { en: translate('en', 'command-notifications'), ru: translate('ru', 'command-notifications') }, audience: 'everyone' },
      (ctx) => this.show(ctx),
    );
    return router.callback(notificationButtons, (ctx) => this.press(ctx));
  }

  private async show(ctx: FeatureContext): Promise<void> {
    ctx.reply(this.text(ctx), { keyboard: await this.keyboard(ctx) });
  }

  private async press(ctx: FeatureContext): Promise<void> {
    const [category] = ctx.callback?.args ?? [];
    if (ctx.callback?.action !== 't' || !category || !isCategory(category) || TRANSACTIONAL_CATEGORIES.has(category)) {
      ctx.answerCallback();
      return;
    }
    const telegramUserId = Number(ctx.telegramUserId);
    const muted = !(await this.preferences.muted(ctx.botId, telegramUserId)).has(category);
    await this.preferences.setMuted(ctx.botId, telegramUserId, category, muted);
    ctx.edit(this.text(ctx), { keyboard: await this.keyboard(ctx) });
    ctx.answerCallback(ctx.t(muted ? 'notifications-muted' : 'notifications-unmuted', { category: ctx.t(`category-${category}`) }));
  }

  private text(ctx: FeatureContext): string {
    return [ctx.t('notifications-title'), ctx.t('notifications-always')].join('\n');
  }

  private async keyboard(ctx: FeatureContext): Promise<InlineKeyboard> {
    const muted = await this.preferences.muted(ctx.botId, Number(ctx.telegramUserId));
    const keyboard = new InlineKeyboard();
    for (const category of NotificationPreferences.mutable) {
      const label = ctx.t(muted.has(category) ? 'notifications-off' : 'notifications-on', { category: ctx.t(`category-${category}`) });
      keyboard.text(label, notificationButtons.encode('t', category)).row();
    }
    return keyboard;
  }
}
