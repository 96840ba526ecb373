import type { RpcClient } from '@botplatform/bus';
import {
  RPC,
  type BotConfigJson,
  type ConsumeQuotaReplyJson,
  type ConsumeQuotaRequestJson,
  type CountMembersReplyJson,
  type CountMembersRequestJson,
  type FindMembersReplyJson,
  type FindMembersRequestJson,
  type GetBotConfigRequestJson,
  type GetBotCredentialsReplyJson,
  type GetBotCredentialsRequestJson,
  type GetMemberReplyJson,
  type GetMemberRequestJson,
  type ListMembersReplyJson,
  type ListMembersRequestJson,
  type MemberAdminActionReplyJson,
  type MemberAdminActionRequestJson,
  type QueryAuditReplyJson,
  type QueryAuditRequestJson,
  type RecordBotBlockedReplyJson,
  type RecordBotBlockedRequestJson,
  type RegisterUserReplyJson,
  type RegisterUserRequestJson,
  type SetFeatureFlagRequestJson,
  type SetMemberLanguageRequestJson,
  type SetSettingRequestJson,
} from '@botplatform/contracts';

/** An admin action on a member, by the verb of its RPC (`rpc.users.<verb>`). */
export type MemberAdminAction = 'block-member' | 'unblock-member' | 'propose-admin' | 'approve-admin' | 'revoke-admin';

/** The RPC of each admin action: they share one request and one reply. */
const ADMIN_ACTION_RPCS: Readonly<Record<MemberAdminAction, typeof RPC.users.blockMember>> = {
  'block-member': RPC.users.blockMember,
  'unblock-member': RPC.users.unblockMember,
  'propose-admin': RPC.users.proposeAdmin,
  'approve-admin': RPC.users.approveAdmin,
  'revoke-admin': RPC.users.revokeAdmin,
};

/**
 * The users service as the gateway calls it: one typed method per `rpc.users.*` RPC, with the
 * contract's JSON shapes (proto/botplatform/users/v1). Errors arrive as `RpcCallError` with the users
 * service's stable codes (`USERS.MEMBER_BLOCKED`, `USERS.QUOTA_EXCEEDED`, `USERS.NOT_AN_ADMIN`...).
 */
export class UsersClient {
  constructor(private readonly rpc: RpcClient) {}

  /** Creates the identity and membership on first contact, refreshes a changed profile, returns the member. */
  registerUser(request: RegisterUserRequestJson): Promise<RegisterUserReplyJson> {
    return this.rpc.call(RPC.users.registerUser, request);
  }

  getMember(request: GetMemberRequestJson): Promise<GetMemberReplyJson> {
    return this.rpc.call(RPC.users.getMember, request);
  }

  findMembers(request: FindMembersRequestJson): Promise<FindMembersReplyJson> {
    return this.rpc.call(RPC.users.findMembers, request);
  }

  /** A bot's members by role or status, a page at a time (the command menus' admins). */
  listMembers(request: ListMembersRequestJson): Promise<ListMembersReplyJson> {
    return this.rpc.call(RPC.users.listMembers, request);
  }

  countMembers(request: CountMembersRequestJson): Promise<CountMembersReplyJson> {
    return this.rpc.call(RPC.users.countMembers, request);
  }

  setMemberLanguage(request: SetMemberLanguageRequestJson): Promise<MemberAdminActionReplyJson> {
    return this.rpc.call(RPC.users.setMemberLanguage, request);
  }

  adminAction(action: MemberAdminAction, request: MemberAdminActionRequestJson): Promise<MemberAdminActionReplyJson> {
    return this.rpc.call(ADMIN_ACTION_RPCS[action], request);
  }

  recordBotBlocked(request: RecordBotBlockedRequestJson): Promise<RecordBotBlockedReplyJson> {
    return this.rpc.call(RPC.users.recordBotBlocked, request);
  }

  consumeQuota(request: ConsumeQuotaRequestJson): Promise<ConsumeQuotaReplyJson> {
    return this.rpc.call(RPC.users.consumeQuota, request);
  }

  getBotCredentials(request: GetBotCredentialsRequestJson): Promise<GetBotCredentialsReplyJson> {
    return this.rpc.call(RPC.users.getBotCredentials, request);
  }

  getBotConfig(request: GetBotConfigRequestJson): Promise<BotConfigJson> {
    return this.rpc.call(RPC.users.getBotConfig, request);
  }

  setFeatureFlag(request: SetFeatureFlagRequestJson): Promise<BotConfigJson> {
    return this.rpc.call(RPC.users.setFeatureFlag, request);
  }

  setSetting(request: SetSettingRequestJson): Promise<BotConfigJson> {
    return this.rpc.call(RPC.users.setSetting, request);
  }

  queryAudit(request: QueryAuditRequestJson): Promise<QueryAuditReplyJson> {
    return this.rpc.call(RPC.users.queryAudit, request);
  }
}
