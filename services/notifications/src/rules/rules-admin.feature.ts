import { type BotFeatureRouter, CallbackData, type FeatureContext, InlineKeyboard, type Translate } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { isRuleName, type RuleName } from './rule-catalogue.js';
import { RuleSettingsUseCase } from './rule-settings.use-case.js';
import { InvalidTemplateError } from './rules.errors.js';

/** Buttons of /notifadmin: `nadm:m` (the rules), `nadm:r:<rule>` (its card), `nadm:t:<rule>[:c]` (switch, from the list or the card), `nadm:e:<rule>` (edit), `nadm:d:<rule>` (reset). */
export const rulesAdminButtons = new CallbackData('nadm');

/** The admin's next text is a rule's new template; the step's data names the rule and the language. */
export const RULES_ADMIN_TEMPLATE_STEP = 'nadm:template';

/**
 * `/notifadmin`: the notifications side of a bot's administration (the users service owns `/admin`, as
 * subscriptions has `/subadmin`): every rule with its on/off switch; a rule's card with its current text
 * in the admin's language (the bot's own, else the platform's); "Edit", whose next message is the new
 * template, saved or answered with the compile problems (nothing saved); "Reset to default". Every screen,
 * press and answer checks the role of the update (a button is an address, not a right), and acts on the
 * update's bot only.
 */
@Injectable()
export class RulesAdminFeature {
  constructor(private readonly settings: RuleSettingsUseCase) {}

  register(router: BotFeatureRouter, translate: Translate): BotFeatureRouter {
    router.command(
      'notifadmin',
      { description: { en: translate('en', 'command-notifadmin'), ru: translate('ru', 'command-notifadmin') }, audience: 'admins' },
      async (ctx) => {
        if (!ctx.isAdmin) {
          ctx.reply(ctx.t('notifadmin-not-admin'));
          return;
        }
        ctx.reply(ctx.t('notifadmin-title'), { keyboard: await this.listKeyboard(ctx) });
      },
    );
    router.step(RULES_ADMIN_TEMPLATE_STEP, (ctx) => this.template(ctx));
    return router.callback(rulesAdminButtons, (ctx) => this.press(ctx));
  }

  private async press(ctx: FeatureContext): Promise<void> {
    if (!ctx.isAdmin) {
      ctx.answerCallback(ctx.t('notifadmin-not-admin'), { alert: true });
      return;
    }
    const action = ctx.callback?.action;
    const [name = '', from] = ctx.callback?.args ?? [];
    if (action === 'm') {
      ctx.edit(ctx.t('notifadmin-title'), { keyboard: await this.listKeyboard(ctx) });
      ctx.answerCallback();
      return;
    }
    if (!isRuleName(name)) {
      ctx.answerCallback();
      return;
    }
    switch (action) {
      case 'r':
        await this.showCard(ctx, name);
        ctx.answerCallback();
        return;
      case 't': {
        const rule = await this.settings.ruleOf(ctx.botId, name);
        await this.settings.setEnabled(ctx.botId, name, !rule.enabled);
        if (from === 'c') await this.showCard(ctx, name);
        else ctx.edit(ctx.t('notifadmin-title'), { keyboard: await this.listKeyboard(ctx) });
        ctx.answerCallback(ctx.t(rule.enabled ? 'notifadmin-switched-off' : 'notifadmin-switched-on', { rule: ruleLabel(ctx, name) }));
        return;
      }
      case 'e': {
        const rule = await this.settings.ruleOf(ctx.botId, name);
        ctx.enterStep(RULES_ADMIN_TEMPLATE_STEP, { rule: name, language: languageOf(ctx) });
        ctx.reply(
          ctx.t('notifadmin-edit-prompt', { rule: ruleLabel(ctx, name), language: languageOf(ctx), variables: rule.variables.map((v) => `$${v}`).join(', ') }),
        );
        ctx.answerCallback();
        return;
      }
      case 'd': {
        const { removed } = await this.settings.resetTemplate(ctx.botId, name, languageOf(ctx));
        await this.showCard(ctx, name);
        ctx.answerCallback(removed ? ctx.t('notifadmin-reset-done') : undefined);
        return;
      }
      default:
        ctx.answerCallback();
    }
  }

  /** The answer to "Edit": saved and the card shown again, or the problems and the card (nothing saved). */
  private async template(ctx: FeatureContext): Promise<void> {
    ctx.leaveStep();
    if (!ctx.isAdmin) {
      ctx.reply(ctx.t('notifadmin-not-admin'));
      return;
    }
    const name = ctx.step?.data?.rule ?? '';
    const language = ctx.step?.data?.language ?? languageOf(ctx);
    if (!isRuleName(name)) return;
    const source = ctx.step?.text ?? '';
    if (source.trim() === '') {
      ctx.reply(ctx.t('notifadmin-template-text-only'));
      return;
    }
    try {
      await this.settings.setTemplate(ctx.botId, name, language, source);
      ctx.reply(ctx.t('notifadmin-saved', { rule: ruleLabel(ctx, name), language }));
    } catch (error) {
      if (!(error instanceof InvalidTemplateError)) throw error;
      ctx.reply(ctx.t('notifadmin-invalid', { problems: error.details.fields?.[0]?.problems?.map((p) => `• ${p}`).join('\n') ?? error.message }));
    }
    await this.showCard(ctx, name, 'reply');
  }

  private async showCard(ctx: FeatureContext, name: RuleName, how: 'edit' | 'reply' = 'edit'): Promise<void> {
    const rule = await this.settings.ruleOf(ctx.botId, name);
    const language = languageOf(ctx);
    const own = rule.templates.find((template) => template.language === language);
    const fallback = rule.platformDefaults.find((template) => template.language === language) ?? rule.platformDefaults[0];
    const text = [
      ctx.t('notifadmin-card', {
        rule: ruleLabel(ctx, name),
        state: ctx.t(rule.enabled ? 'notifadmin-state-on' : 'notifadmin-state-off'),
        variables: rule.variables.map((v) => `$${v}`).join(', '),
        language,
        origin: ctx.t(own ? 'notifadmin-origin-own' : 'notifadmin-origin-default'),
      }),
      own ? own.source : fallback.source,
    ].join('\n');
    const keyboard = new InlineKeyboard()
      .text(ctx.t('notifadmin-button-edit'), rulesAdminButtons.encode('e', name))
      .text(ctx.t(rule.enabled ? 'notifadmin-button-switch-off' : 'notifadmin-button-switch-on'), rulesAdminButtons.encode('t', name, 'c'))
      .row();
    if (own) keyboard.text(ctx.t('notifadmin-button-reset'), rulesAdminButtons.encode('d', name)).row();
    keyboard.text(ctx.t('notifadmin-button-back'), rulesAdminButtons.encode('m'));
    if (how === 'edit') ctx.edit(text, { keyboard });
    else ctx.reply(text, { keyboard });
  }

  private async listKeyboard(ctx: FeatureContext): Promise<InlineKeyboard> {
    const keyboard = new InlineKeyboard();
    for (const rule of await this.settings.rulesOf(ctx.botId)) {
      keyboard
        .text(`${ruleLabel(ctx, rule.name)}${rule.templates.length > 0 ? ' ✏️' : ''}`, rulesAdminButtons.encode('r', rule.name))
        .text(ctx.t(rule.enabled ? 'notifadmin-on' : 'notifadmin-off'), rulesAdminButtons.encode('t', rule.name))
        .row();
    }
    return keyboard;
  }
}

/** The language the admin edits: the one the bot speaks to them in. */
const languageOf = (ctx: FeatureContext): string => ctx.language.toLowerCase();

/** A rule's name in the admin's language (`rule-level-reached`...). */
const ruleLabel = (ctx: FeatureContext, rule: RuleName): string => ctx.t(`rule-${rule.replaceAll('_', '-')}`);
