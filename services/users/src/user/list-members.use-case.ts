import type { ListMembersReplyJson, MemberRoleJson, MemberStatusJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { MemberDirectory } from './member-directory.js';
import type { ListMembersDto } from './members.dto.js';
import type { MemberRole, MemberStatus } from './membership.decider.js';

const ROLE_OF_JSON: Partial<Record<MemberRoleJson, MemberRole>> = { MEMBER_ROLE_USER: 'user', MEMBER_ROLE_ADMIN: 'admin', MEMBER_ROLE_OWNER: 'owner' };
const STATUS_OF_JSON: Partial<Record<MemberStatusJson, MemberStatus>> = {
  MEMBER_STATUS_ACTIVE: 'active',
  MEMBER_STATUS_BLOCKED_BY_ADMIN: 'blocked_by_admin',
  MEMBER_STATUS_BOT_BLOCKED_BY_USER: 'bot_blocked_by_user',
};

/** One page of a bot's members, newest first, narrowed by the contract's role and status. */
@Injectable()
export class ListMembersUseCase {
  constructor(private readonly members: MemberDirectory) {}

  execute(request: ListMembersDto): Promise<ListMembersReplyJson> {
    const role = request.role ? ROLE_OF_JSON[request.role] : undefined;
    const status = request.status ? STATUS_OF_JSON[request.status] : undefined;
    return this.members.list({
      botId: request.botId,
      ...(role ? { role } : {}),
      ...(status ? { status } : {}),
      ...(request.query !== undefined ? { query: request.query } : {}),
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
      ...(request.cursor !== undefined ? { cursor: request.cursor } : {}),
    });
  }
}
