import type { ListMembersReplyJson, QueryAuditReplyJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Get, Param, Query } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { BotRegistry } from '../bot/bot-registry.js';
import { MemberDirectory } from '../user/member-directory.js';
import { AdminApiController } from './admin-api-controller.decorator.js';
import { AuditQuery, ListMembersQuery } from './admin-api.dto.js';

/**
 * Members and the audit log of one bot over the admin API, read through the user/ and audit/ slices'
 * query classes. The guard has already confined a bot's token to its own `:botId`; the bot is looked
 * up first so the operator gets 404 for an unknown one instead of an empty list.
 */
@AdminApiController('admin/bots/:botId')
export class AdminMembersController {
  private readonly members: MemberDirectory;
  private readonly audit: AuditLog;

  constructor(
    private readonly registry: BotRegistry,
    orm: MikroORM,
  ) {
    this.members = new MemberDirectory(orm.em);
    this.audit = new AuditLog(orm.em);
  }

  @Get('members')
  async listMembers(@Param('botId') botId: string, @Query() query: ListMembersQuery): Promise<ListMembersReplyJson> {
    await this.registry.summary(botId);
    return this.members.list({
      botId,
      ...(query.query ? { query: query.query } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.limit ? { limit: Number(query.limit) } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
  }

  @Get('audit')
  async queryAudit(@Param('botId') botId: string, @Query() query: AuditQuery): Promise<QueryAuditReplyJson> {
    await this.registry.summary(botId);
    return this.audit.query({
      botId,
      ...(query.admin ? { admin: query.admin } : {}),
      ...(query.target ? { target: query.target } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.limit ? { limit: Number(query.limit) } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
  }
}
