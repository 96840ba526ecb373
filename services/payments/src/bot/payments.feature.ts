import { CallbackData, InlineKeyboard, type BotFeatureRouter, type FeatureContext } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CreateNoteUseCase } from '../note/create-note.use-case.js';

/** Buttons of this feature: `payments:<action>`. */
const buttons = new CallbackData('payments');
const ASK_FOR_TEXT = 'payments:text';

const TEXTS = {
  en: { ask: 'What should I note?', noted: 'Noted.', another: 'Another note' },
  ru: { ask: 'Что записать?', noted: 'Записал.', another: 'Ещё заметку' },
} as const;

/**
 * `/payments <text>` keeps a note for the bot; `/payments` alone asks for the text (a conversation step),
 * and the "Another note" button asks again. The example bot screen of a new service: replace it with
 * your own, one `*.feature.ts` per screen, registered on the service's router.
 */
@Injectable()
export class PaymentsFeature {
  constructor(private readonly createNote: CreateNoteUseCase) {}

  register(router: BotFeatureRouter): BotFeatureRouter {
    return router
      .command('payments', { description: { en: 'keep a note', ru: 'сохранить заметку' } }, (ctx) => {
        const text = ctx.command?.payload?.trim();
        return text ? this.keep(ctx, text) : this.ask(ctx);
      })
      .callback(buttons, (ctx) => (ctx.callback?.action === 'again' ? this.ask(ctx) : undefined))
      .step(ASK_FOR_TEXT, (ctx) => {
        ctx.leaveStep();
        const text = ctx.step?.text?.trim();
        return text ? this.keep(ctx, text) : this.ask(ctx);
      });
  }

  private ask(ctx: FeatureContext): void {
    ctx.enterStep(ASK_FOR_TEXT).reply(textsOf(ctx).ask);
  }

  private async keep(ctx: FeatureContext, text: string): Promise<void> {
    await this.createNote.execute({ noteId: randomUUID(), botId: ctx.botId, text, actor: { kind: 'user', id: `telegram:${ctx.telegramUserId}` } });
    ctx.reply(textsOf(ctx).noted, { keyboard: new InlineKeyboard().text(textsOf(ctx).another, buttons.encode('again')) });
  }
}

function textsOf(ctx: FeatureContext) {
  return ctx.language === 'ru' ? TEXTS.ru : TEXTS.en;
}
