import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { QueryAuditHandler } from './audit/query-audit.handler.js';
import { ConsumeQuotaHandler } from './quota/consume-quota.handler.js';
import { MemberAdminHandler } from './user/member-admin.handler.js';
import { MemberQueriesHandler } from './user/member-queries.handler.js';
import { MemberUpdatesHandler } from './user/member-updates.handler.js';
import { membersProviders } from './user/members.providers.js';
import { AdminBotsController } from './admin-api/admin-bots.controller.js';
import { AdminMembersController } from './admin-api/admin-members.controller.js';
import { AdminHttpErrorFilter } from './admin-api/admin-http-error.filter.js';
import { BotConfigHandler } from './bot/bot-config.handler.js';
import { ManageBotsHandler } from './bot/manage-bots.handler.js';
import { RegisterUserHandler } from './user/register-user.handler.js';

@Module({
  controllers: [
    RegisterUserHandler,
    ManageBotsHandler,
    BotConfigHandler,
    AdminBotsController,
    AdminMembersController,
    MemberAdminHandler,
    MemberUpdatesHandler,
    MemberQueriesHandler,
    ConsumeQuotaHandler,
    QueryAuditHandler,
  ],
  providers: [
    ...membersProviders,
    // Body-parse errors and unknown /admin routes fail before any admin controller is chosen.
    { provide: APP_FILTER, useClass: AdminHttpErrorFilter },
  ],
})
export class UsersModule {}
