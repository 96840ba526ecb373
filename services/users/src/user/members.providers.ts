import { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import type { BotAdminCheck } from '../bot/bot-registry.js';
import { BOT_ADMIN_CHECK } from '../bot/bot.providers.js';
import { Clock, SystemClock } from '../shared/clock.js';
import { MemberDirectory } from './member-directory.js';

/**
 * `telegram:<id>` may change a bot's flags and settings when the membership read model says admin or
 * owner. Provided here, not in bot/, so the bot slice asks through its token and never imports this one.
 */
const memberAdminCheck: Provider = {
  provide: BOT_ADMIN_CHECK,
  inject: [MikroORM],
  useFactory: (orm: MikroORM): BotAdminCheck => {
    const members = new MemberDirectory(orm.em);
    return (botId, telegramUserId, em) => members.isAdmin(botId, telegramUserId, { em });
  },
};

/**
 * The members slice's providers: the clock (tests override it), the member directory, the bot
 * registry's admin check and the audit log.
 */
export const membersProviders: Provider[] = [
  { provide: Clock, useClass: SystemClock },
  { provide: MemberDirectory, inject: [MikroORM], useFactory: (orm: MikroORM) => new MemberDirectory(orm.em) },
  memberAdminCheck,
  { provide: AuditLog, inject: [MikroORM], useFactory: (orm: MikroORM) => new AuditLog(orm.em) },
];
