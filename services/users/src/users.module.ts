import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminBotsController } from './admin-api/admin-bots.controller.js';
import { AdminGroupsController } from './admin-api/admin-groups.controller.js';
import { BotGroups } from './bot-group/bot-groups.js';
import { AdminHttpErrorFilter } from './admin-api/admin-http-error.filter.js';
import { AdminMembersController } from './admin-api/admin-members.controller.js';
import { botFeaturesProviders } from './bot-features/bot-features.providers.js';
import { HandleBotUpdateRpcController } from './bot-features/handle-bot-update.rpc-controller.js';
import { AuthenticateApiTokenRpcController } from './admin-api/authenticate-api-token.rpc-controller.js';
import { QueryAuditRpcController } from './audit/query-audit.rpc-controller.js';
import { ConfigureBotRpcController } from './bot/configure-bot.rpc-controller.js';
import { ManageBotsRpcController } from './bot/manage-bots.rpc-controller.js';
import { ConsumeQuotaRpcController } from './quota/consume-quota.rpc-controller.js';
import { MemberPlanLevels } from './plan-level/member-plan-levels.js';
import { ConsumeQuotaUseCase } from './quota/consume-quota.use-case.js';
import { AdministerMemberRpcController } from './user/administer-member.rpc-controller.js';
import { AdministerMemberUseCase } from './user/administer-member.use-case.js';
import { CountMembersUseCase } from './user/count-members.use-case.js';
import { ListMembersUseCase } from './user/list-members.use-case.js';
import { membersProviders } from './user/members.providers.js';
import { QueryMembersRpcController } from './user/query-members.rpc-controller.js';
import { RecordBotBlockedUseCase } from './user/record-bot-blocked.use-case.js';
import { RegisterUserRpcController } from './user/register-user.rpc-controller.js';
import { RegisterUserUseCase } from './user/register-user.use-case.js';
import { SetMemberLanguageUseCase } from './user/set-member-language.use-case.js';
import { UpdateMemberRpcController } from './user/update-member.rpc-controller.js';

@Module({
  controllers: [
    RegisterUserRpcController,
    ManageBotsRpcController,
    ConfigureBotRpcController,
    AdminBotsController,
    AdminMembersController,
    AdminGroupsController,
    AdministerMemberRpcController,
    UpdateMemberRpcController,
    QueryMembersRpcController,
    ConsumeQuotaRpcController,
    QueryAuditRpcController,
    HandleBotUpdateRpcController,
    AuthenticateApiTokenRpcController,
  ],
  providers: [
    ...membersProviders,
    BotGroups,
    RegisterUserUseCase,
    AdministerMemberUseCase,
    SetMemberLanguageUseCase,
    RecordBotBlockedUseCase,
    CountMembersUseCase,
    ListMembersUseCase,
    ConsumeQuotaUseCase,
    MemberPlanLevels,
    ...botFeaturesProviders,
    // Body-parse errors and unknown /admin routes fail before any admin controller is chosen.
    { provide: APP_FILTER, useClass: AdminHttpErrorFilter },
  ],
})
export class UsersModule {}
