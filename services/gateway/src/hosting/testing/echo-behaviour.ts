import { Composer, type Api, type BotError } from 'grammy';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { BotContext, HostedBotInfo } from '../../bot/bot-context.js';
import type { BotBehaviour } from '../bot-host.js';

/** What the echo pipeline saw, for assertions. */
export interface EchoRecord {
  readonly botId: string;
  readonly text: string;
  readonly correlationId: string;
  /** What `callerContext` held while the update was handled: nothing, unless a caller's context leaked in. */
  readonly callerContext: string | undefined;
}

/**
 * Async-local state a test sets around a call into the host (as MikroORM's transaction context is set
 * around a consumer's handler), to check that none of it reaches the updates of the bots it started.
 */
export const callerContext = new AsyncLocalStorage<string>();

/**
 * A tiny stand-in for the real pipeline: answers `<bot name>: <text> (before: <previous text>)`, the
 * previous text coming from the chat's session; "boom" throws, and the error handler apologises;
 * "slow" takes 300 ms.
 */
export class EchoBehaviour implements BotBehaviour {
  readonly seen: EchoRecord[] = [];
  readonly errors: BotError<BotContext>[] = [];
  readonly commandsRegistered: string[] = [];

  pipelineFor(bot: HostedBotInfo): Composer<BotContext> {
    const composer = new Composer<BotContext>();
    composer.on('message:text', async (ctx) => {
      const text = ctx.message.text;
      this.seen.push({ botId: ctx.tenant.botId, text, correlationId: ctx.correlationId, callerContext: callerContext.getStore() });
      if (text === 'boom') throw new Error(`boom in ${bot.botId}`);
      if (text === 'slow') await new Promise((resolve) => setTimeout(resolve, 300));
      const before = ctx.session.awaiting?.data?.last ?? '-';
      ctx.session.awaiting = { feature: 'echo', step: 'next', data: { last: text } };
      await ctx.reply(`${ctx.tenant.name}: ${text} (before: ${before})`);
    });
    return composer;
  }

  errorHandlerFor(): (error: BotError<BotContext>) => Promise<void> {
    return async (error) => {
      this.errors.push(error);
      await error.ctx.reply('sorry, something went wrong');
    };
  }

  async registerCommands(api: Api, bot: HostedBotInfo): Promise<void> {
    await api.setMyCommands([{ command: 'start', description: 'Start' }]);
    this.commandsRegistered.push(bot.botId);
  }

  handled(botId: string): EchoRecord[] {
    return this.seen.filter((record) => record.botId === botId);
  }
}
