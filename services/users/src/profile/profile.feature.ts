import type { BotFeatureRouter, FeatureContext } from '@botplatform/bot-kit';
import { Injectable } from '@nestjs/common';

/** The languages the users service speaks; a member's language outside them reads as English. */
const LANGUAGES = new Set(['en', 'ru']);

/**
 * `/profile`: what the bot knows about the member, in their language: the membership as the gateway
 * put it in the context (name, username, role, language and whether they chose it, member since, in
 * the bot's time zone).
 */
@Injectable()
export class ProfileFeature {
  register(router: BotFeatureRouter): BotFeatureRouter {
    return router.command('profile', { description: { en: 'Your profile', ru: 'Ваш профиль' } }, (ctx) => ctx.reply(profileText(ctx)));
  }
}

function profileText(ctx: FeatureContext): string {
  const { member } = ctx;
  const locale = LANGUAGES.has(ctx.language) ? ctx.language : 'en';
  const languageName = ctx.t(`language-name-${locale}`);
  const joined = member.joinedAt ? new Date(member.joinedAt) : undefined;
  return ctx.t('profile-text', {
    name: [member.firstName, member.lastName].filter(Boolean).join(' ') || '?',
    username: member.username ? `@${member.username}` : ctx.t('profile-no-username'),
    role: roleText(ctx),
    language: member.languageOverride ? languageName : `${languageName} (${ctx.t('language-telegram-default')})`,
    joined: joined && !Number.isNaN(joined.getTime()) ? longDateFormat(locale, ctx.timeZone).format(joined) : ctx.t('profile-unknown'),
  });
}

/**
 * Building an `Intl.DateTimeFormat` costs about a millisecond (it loads the locale's and the zone's
 * data), far more than the rest of the screen: one per language and zone is kept.
 */
const longDateFormats = new Map<string, Intl.DateTimeFormat>();

function longDateFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = longDateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
    longDateFormats.set(key, format);
  }
  return format;
}

function roleText(ctx: FeatureContext): string {
  switch (ctx.member.role) {
    case 'ROLE_OWNER':
      return ctx.t('role-owner');
    case 'ROLE_ADMIN':
      return ctx.t('role-admin');
    default:
      return ctx.member.adminPending ? ctx.t('role-admin-pending') : ctx.t('role-user');
  }
}
