import type { RpcClient } from '@botplatform/bus';
import type {
  BotConfigJson,
  ConsumeQuotaReplyJson,
  ConsumeQuotaRequestJson,
  CountMembersReplyJson,
  CountMembersRequestJson,
  FindMembersReplyJson,
  FindMembersRequestJson,
  GetBotConfigRequestJson,
  GetBotCredentialsReplyJson,
  GetBotCredentialsRequestJson,
  GetMemberReplyJson,
  GetMemberRequestJson,
  MemberAdminActionReplyJson,
  MemberAdminActionRequestJson,
  QueryAuditReplyJson,
  QueryAuditRequestJson,
  RecordBotBlockedReplyJson,
  RecordBotBlockedRequestJson,
  RegisterUserReplyJson,
  RegisterUserRequestJson,
  SetFeatureFlagRequestJson,
  SetMemberLanguageRequestJson,
  SetSettingRequestJson,
} from '@botplatform/contracts';

/** An admin action on a member, as `rpc.users.<verb>` names it. */
export type MemberAdminAction = 'block-member' | 'unblock-member' | 'propose-admin' | 'approve-admin' | 'revoke-admin';

/**
 * The users service as the gateway calls it: one typed method per `rpc.users.*` pattern, with the
 * contract's JSON shapes (proto/botplatform/users/v1). Errors arrive as `RpcCallError` with the users
 * service's stable codes (`USERS.MEMBER_BLOCKED`, `USERS.QUOTA_EXCEEDED`, `USERS.NOT_AN_ADMIN`...).
 */
export class UsersClient {
  constructor(private readonly rpc: RpcClient) {}

  /** Creates the identity and membership on first contact, refreshes a changed profile, returns the member. */
  registerUser(request: RegisterUserRequestJson): Promise<RegisterUserReplyJson> {
    return this.rpc.call('rpc.users.register-user', request);
  }

  getMember(request: GetMemberRequestJson): Promise<GetMemberReplyJson> {
    return this.rpc.call('rpc.users.get-member', request);
  }

  findMembers(request: FindMembersRequestJson): Promise<FindMembersReplyJson> {
    return this.rpc.call('rpc.users.find-members', request);
  }

  countMembers(request: CountMembersRequestJson): Promise<CountMembersReplyJson> {
    return this.rpc.call('rpc.users.count-members', request);
  }

  setMemberLanguage(request: SetMemberLanguageRequestJson): Promise<MemberAdminActionReplyJson> {
    return this.rpc.call('rpc.users.set-member-language', request);
  }

  adminAction(action: MemberAdminAction, request: MemberAdminActionRequestJson): Promise<MemberAdminActionReplyJson> {
    return this.rpc.call(`rpc.users.${action}`, request);
  }

  recordBotBlocked(request: RecordBotBlockedRequestJson): Promise<RecordBotBlockedReplyJson> {
    return this.rpc.call('rpc.users.record-bot-blocked', request);
  }

  consumeQuota(request: ConsumeQuotaRequestJson): Promise<ConsumeQuotaReplyJson> {
    return this.rpc.call('rpc.users.consume-quota', request);
  }

  getBotCredentials(request: GetBotCredentialsRequestJson): Promise<GetBotCredentialsReplyJson> {
    return this.rpc.call('rpc.users.get-bot-credentials', request);
  }

  getBotConfig(request: GetBotConfigRequestJson): Promise<BotConfigJson> {
    return this.rpc.call('rpc.users.get-bot-config', request);
  }

  setFeatureFlag(request: SetFeatureFlagRequestJson): Promise<BotConfigJson> {
    return this.rpc.call('rpc.users.set-feature-flag', request);
  }

  setSetting(request: SetSettingRequestJson): Promise<BotConfigJson> {
    return this.rpc.call('rpc.users.set-setting', request);
  }

  queryAudit(request: QueryAuditRequestJson): Promise<QueryAuditReplyJson> {
    return this.rpc.call('rpc.users.query-audit', request);
  }
}
