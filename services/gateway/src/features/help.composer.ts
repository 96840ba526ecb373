import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import { localeOf } from '../i18n/gateway-i18n.js';
import type { GatewayRouting } from '../routing/feature-routing.middleware.js';
import { descriptionOf, viewerOf, visibleCommands } from '../routing/routed-commands.js';

/**
 * `/help`: the gateway's own commands, then every routed command the member may see (their role against
 * the command's audience, its flag on in this bot) with its description in their language (else English).
 */
export function helpFeature(routing?: Pick<GatewayRouting, 'table' | 'config'>): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('help', async (ctx) => {
    const lines = [ctx.t('help-text')];
    const table = routing?.table();
    if (table && routing) {
      const { flags } = await routing.config(ctx.tenant.botId);
      const locale = localeOf(ctx);
      for (const command of visibleCommands(table, flags, viewerOf(ctx.member?.role))) lines.push(`/${command.command} - ${descriptionOf(command, locale)}`);
    }
    await ctx.reply(lines.join('\n'));
  });
  return feature;
}
