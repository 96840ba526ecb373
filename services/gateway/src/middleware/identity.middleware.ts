import type { RegisterUserRequestJson } from '@botplatform/contracts';
import type { MiddlewareFn } from 'grammy';
import type { User } from 'grammy/types';
import type { BotContext } from '../bot/bot-context.js';
import type { UsersClient } from '../users/users.client.js';
import type { MemberCache, MemberProfile } from './member-cache.js';

// The users service's RegisterUserDto accepts exactly these; anything else is left out rather than
// turning a user's message into a validation error.
const USERNAME = /^[A-Za-z0-9_]{1,32}$/;
const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const START_PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
const START_COMMAND = /^\/start(?:@([A-Za-z0-9_]+))?(?:\s+(\S+))?\s*$/;

/** The profile Telegram reports for a sender, cut to what the users service accepts. */
export function profileOf(from: User): MemberProfile {
  const languageCode = from.language_code?.toLowerCase();
  return {
    username: from.username && USERNAME.test(from.username) ? from.username : undefined,
    firstName: from.first_name.slice(0, 64),
    lastName: from.last_name ? from.last_name.slice(0, 64) : undefined,
    languageCode: languageCode && LANGUAGE_CODE.test(languageCode) ? languageCode : undefined,
    isPremium: from.is_premium === true,
  };
}

/**
 * The deep-link payload of "/start <payload>" (t.me/<bot>?start=<payload>), when the text is a /start
 * for this bot with a payload Telegram could have produced; `undefined` otherwise.
 */
export function startPayloadOf(text: string | undefined, botUsername: string): string | undefined {
  const match = text ? START_COMMAND.exec(text) : null;
  if (!match) return undefined;
  const [, mention, payload] = match;
  if (mention && mention.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return payload && START_PAYLOAD.test(payload) ? payload : undefined;
}

export interface IdentityMiddlewareDependencies {
  readonly users: UsersClient;
  readonly cache: MemberCache;
}

/**
 * Makes every sender a member of the bot (`rpc.users.register-user`) and sets `ctx.member`. A sender
 * seen within the cache's lifetime with the same profile costs no request; a /start with a payload
 * always goes through, so the campaign code reaches the membership. The locale is negotiated again
 * afterwards, since the member may have chosen a language in this bot.
 */
export function upsertIdentity({ users, cache }: IdentityMiddlewareDependencies): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from) return next();
    const { botId } = ctx.tenant;
    const profile = profileOf(from);
    const startPayload = startPayloadOf(ctx.message?.text, ctx.me.username);
    const cached = startPayload ? undefined : cache.get(botId, from.id, profile);
    if (cached) {
      ctx.member = cached;
    } else {
      const request: RegisterUserRequestJson = {
        botId,
        telegramUserId: String(from.id),
        firstName: profile.firstName,
        isPremium: profile.isPremium,
        ...(profile.username ? { username: profile.username } : {}),
        ...(profile.lastName ? { lastName: profile.lastName } : {}),
        ...(profile.languageCode ? { languageCode: profile.languageCode } : {}),
        ...(startPayload ? { startPayload } : {}),
      };
      const reply = await users.registerUser(request);
      if (reply.member) {
        ctx.member = reply.member;
        cache.set(botId, from.id, profile, reply.member);
      }
    }
    await ctx.i18n.renegotiateLocale();
    await next();
  };
}
