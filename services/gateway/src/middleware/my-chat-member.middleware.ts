import type { Logger } from '@nestjs/common';
import { Composer } from 'grammy';
import type { BotContext } from '../bot/bot-context.js';
import type { UsersClient } from '../users/users.client.js';
import type { MemberCache } from './member-cache.js';

/**
 * Turns `my_chat_member` updates of private chats into the membership status: "kicked" means the user
 * blocked the bot; "member" after "kicked" means they unblocked it. Group membership of the bot says
 * nothing about a user and is left alone. Private ones go on down the pipeline once recorded.
 */
export function recordBotBlockedChanges(users: UsersClient, cache: MemberCache, logger: Logger): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('my_chat_member', async (ctx, next) => {
    if (ctx.chat.type !== 'private') return next();
    const { old_chat_member: before, new_chat_member: after } = ctx.myChatMember;
    const blocked = after.status === 'kicked' ? true : after.status === 'member' && before.status === 'kicked' ? false : undefined;
    if (blocked !== undefined) {
      await users.recordBotBlocked({ botId: ctx.tenant.botId, telegramUserId: String(ctx.from.id), blocked });
      cache.invalidate(ctx.tenant.botId, ctx.from.id);
      logger.log(`bot ${ctx.tenant.botId}: user ${ctx.from.id} ${blocked ? 'blocked' : 'unblocked'} the bot`);
    }
    // Recorded first; then a service that declared my_chat_member gets it too (routed after this).
    await next();
  });
  return composer;
}
