import { InProcessBroker, InProcessServer, RpcController, RpcHandler } from '@botplatform/bus';
import {
  RPC,
  type AuditEntryJson,
  type BotConfigJson,
  type BotSettingJson,
  type CountMembersReplyJson,
  type CountMembersRequestJson,
  type FindMembersReplyJson,
  type FindMembersRequestJson,
  type GetBotConfigRequestJson,
  type GetMemberReplyJson,
  type GetMemberRequestJson,
  type GetBotCredentialsReplyJson,
  type GetBotCredentialsRequestJson,
  type ListMembersReplyJson,
  type ListMembersRequestJson,
  type MemberAdminActionReplyJson,
  type MemberAdminActionRequestJson,
  type MemberViewJson,
  type RpcMethod,
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
import { rpcServerOptions, type RpcTransport } from '@botplatform/service-kit';
import { Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';

/** A typed error as the users service throws them: the RPC filter answers with its code. */
class StandInError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const STAND_IN = Symbol('MembersStandIn');

/** One request the stand-in received. */
export interface ReceivedCall {
  readonly pattern: string;
  readonly request: Record<string, unknown>;
}

/**
 * Test-only stand-in for the users service's members, flags, settings and audit: a real Nest
 * microservice serving the `rpc.users.*` patterns the bot pipeline calls, over the in-process RPC
 * transport, with its state in memory. It applies the rules the pipeline relies on (admins and the
 * owner, typed errors with the service's codes) and records every request for assertions.
 */
export class MembersStandIn {
  private readonly members = new Map<string, MemberViewJson>();
  private readonly owners = new Map<string, string>();
  private readonly credentials = new Map<string, { readonly name: string; readonly token: string }>();
  private readonly flags = new Map<string, Record<string, boolean>>();
  private readonly settings = new Map<string, BotSettingJson[]>();
  private readonly auditLog = new Map<string, AuditEntryJson[]>();
  private readonly failures = new Map<string, { code: string; message: string; details: Record<string, unknown> | undefined }[]>();
  /** Every request received, oldest first. */
  readonly calls: ReceivedCall[] = [];
  private app: INestMicroservice | undefined;

  private constructor(readonly broker: InProcessBroker) {}

  /** Serves on `broker`, or on `transport` when given (NATS, for the distributed mode's tests). */
  static async start(broker = new InProcessBroker(), transport?: RpcTransport): Promise<MembersStandIn> {
    const standIn = new MembersStandIn(broker);
    @Module({ controllers: [MembersStandInController], providers: [{ provide: STAND_IN, useValue: standIn }] })
    class StandInModule {}
    const server = transport ? rpcServerOptions(transport, 'users') : { strategy: new InProcessServer(broker) };
    standIn.app = await NestFactory.createMicroservice(StandInModule, { ...server, logger: false });
    await standIn.app.listen();
    return standIn;
  }

  async close(): Promise<void> {
    await this.app?.close();
  }

  /** The bot's owner becomes its OWNER member on first contact, as in the users service. */
  registerBot(botId: string, ownerTelegramUserId: number | string): void {
    this.owners.set(botId, String(ownerTelegramUserId));
  }

  /** Registers a bot the gateway's host is to serve (`rpc.users.get-bot-credentials`), active, token version 1. */
  hostBot(botId: string, name: string, token: string, ownerTelegramUserId?: number | string): void {
    this.credentials.set(botId, { name, token });
    if (ownerTelegramUserId !== undefined) this.registerBot(botId, ownerTelegramUserId);
  }

  /** Switches a feature flag of a bot directly, as the admin API would (no request recorded). */
  setFlag(botId: string, flag: string, enabled: boolean): void {
    this.flagsOf(botId)[flag] = enabled;
  }

  /** @internal */
  botCredentials(request: GetBotCredentialsRequestJson): GetBotCredentialsReplyJson {
    const bots = [...this.credentials].filter(([botId]) => request.botId === undefined || request.botId === botId);
    if (request.botId !== undefined && bots.length === 0) throw new StandInError('USERS.BOT_NOT_FOUND', `no bot ${request.botId}`);
    return { bots: bots.map(([botId, bot]) => ({ botId, name: bot.name, token: bot.token, tokenVersion: 1, active: true })) };
  }

  /** @internal Oldest first, one page. */
  list(request: ListMembersRequestJson): ListMembersReplyJson {
    const members = [...this.members.values()]
      .filter((member) => member.botId === request.botId)
      .filter((member) => request.role === undefined || member.role === request.role)
      .filter((member) => request.status === undefined || member.status === request.status);
    return { members: members.slice(0, request.limit ?? 20) };
  }

  /** Requests of one RPC, oldest first. */
  callsOf(method: RpcMethod): Record<string, unknown>[] {
    return this.calls.filter((call) => call.pattern === method.subject).map((call) => call.request);
  }

  /** The next request of `method` fails with this code (`INTERNAL`-like failures included) and the code's details. */
  failNext(method: RpcMethod, code: string, message = 'stand-in failure', details?: Record<string, unknown>): void {
    const queue = this.failures.get(method.subject) ?? [];
    queue.push({ code, message, details });
    this.failures.set(method.subject, queue);
  }

  member(botId: string, telegramUserId: string | number): MemberViewJson | undefined {
    return this.members.get(`${botId}:${telegramUserId}`);
  }

  /** Changes a member directly, as another replica or the admin API would (no request recorded). */
  updateMember(botId: string, telegramUserId: string | number, change: Partial<MemberViewJson>): MemberViewJson {
    const member = this.requireMember(botId, String(telegramUserId));
    Object.assign(member, change);
    return member;
  }

  /** @internal Records the call, applies a queued failure, then runs the handler. */
  serve<Reply>(method: RpcMethod, request: object, handle: () => Reply): Reply {
    this.calls.push({ pattern: method.subject, request: { ...request } as Record<string, unknown> });
    const failure = this.failures.get(method.subject)?.shift();
    if (failure) throw new StandInError(failure.code, failure.message, failure.details);
    return handle();
  }

  /** @internal */
  register(request: RegisterUserRequestJson): RegisterUserReplyJson {
    const botId = request.botId!;
    const telegramUserId = request.telegramUserId!;
    const now = new Date().toISOString();
    const existing = this.member(botId, telegramUserId);
    const profile = {
      username: request.username,
      firstName: request.firstName,
      lastName: request.lastName,
      telegramLanguageCode: request.languageCode,
      isPremium: request.isPremium === true,
    };
    if (existing) {
      Object.assign(existing, profile, { lastSeenAt: now }, request.startPayload ? { startPayload: request.startPayload } : {});
      return { userId: existing.userId, membershipCreated: false, alreadyRegistered: true, member: existing };
    }
    const member: MemberViewJson = {
      botId,
      userId: randomUUID(),
      telegramUserId,
      ...profile,
      role: this.owners.get(botId) === telegramUserId ? 'MEMBER_ROLE_OWNER' : 'MEMBER_ROLE_USER',
      status: 'MEMBER_STATUS_ACTIVE',
      ...(request.startPayload ? { startPayload: request.startPayload } : {}),
      joinedAt: now,
      lastSeenAt: now,
    };
    this.members.set(`${botId}:${telegramUserId}`, member);
    return { userId: member.userId, membershipCreated: true, alreadyRegistered: false, member };
  }

  /** @internal */
  requireMember(botId: string, telegramUserId: string): MemberViewJson {
    const member = this.member(botId, telegramUserId);
    if (!member) throw new StandInError('USERS.NOT_A_MEMBER', `no member ${telegramUserId} in bot ${botId}`);
    return member;
  }

  /** @internal `telegram:<id>` must be an admin (or the owner) of the bot. */
  requireRole(botId: string, actor: string, role: 'admin' | 'owner'): void {
    const member = actor.startsWith('telegram:') ? this.member(botId, actor.slice('telegram:'.length)) : undefined;
    const allowed = role === 'owner' ? member?.role === 'MEMBER_ROLE_OWNER' : member?.role === 'MEMBER_ROLE_ADMIN' || member?.role === 'MEMBER_ROLE_OWNER';
    if (!allowed) throw new StandInError('USERS.NOT_AN_ADMIN', `${actor} may not do that in bot ${botId}`);
  }

  /** @internal */
  adminChange(request: MemberAdminActionRequestJson, role: 'admin' | 'owner', change: (member: MemberViewJson) => boolean): MemberAdminActionReplyJson {
    const botId = request.botId!;
    this.requireRole(botId, request.admin!, role);
    const member = this.requireMember(botId, request.targetTelegramUserId!);
    const changed = change(member);
    if (changed) this.audit(botId, request.admin!, 'member.changed', `telegram:${member.telegramUserId}`, { reason: request.reason ?? null });
    return { member, changed };
  }

  /** @internal */
  find(botId: string, query: string, limit: number): MemberViewJson[] {
    const needle = query.trim().replace(/^@/, '').toLowerCase();
    return [...this.members.values()]
      .filter((member) => member.botId === botId)
      .filter(
        (member) =>
          member.telegramUserId === needle ||
          member.username?.toLowerCase() === needle ||
          `${member.firstName ?? ''} ${member.lastName ?? ''}`.toLowerCase().includes(needle),
      )
      .slice(0, limit);
  }

  /** @internal */
  count(botId: string): CountMembersReplyJson {
    const members = [...this.members.values()].filter((member) => member.botId === botId);
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    return {
      members: members.length,
      activeToday: members.filter((member) => member.lastSeenAt && new Date(member.lastSeenAt) >= midnight).length,
      blockedTheBot: members.filter((member) => member.status === 'MEMBER_STATUS_BOT_BLOCKED_BY_USER').length,
      blockedByAdmin: members.filter((member) => member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN').length,
      admins: members.filter((member) => member.role === 'MEMBER_ROLE_ADMIN' || member.role === 'MEMBER_ROLE_OWNER').length,
    };
  }

  /** @internal */
  flagsOf(botId: string): Record<string, boolean> {
    if (!this.flags.has(botId)) this.flags.set(botId, {});
    return this.flags.get(botId)!;
  }

  /** @internal */
  settingsOf(botId: string): BotSettingJson[] {
    if (!this.settings.has(botId)) this.settings.set(botId, [{ key: 'timezone', type: 'SETTING_TYPE_STRING', valueJson: '"UTC"', description: 'time zone' }]);
    return this.settings.get(botId)!;
  }

  /** @internal */
  config(botId: string): BotConfigJson {
    return { botId, flags: { ...this.flagsOf(botId) }, settings: [...this.settingsOf(botId)] };
  }

  /** @internal */
  audit(botId: string, admin: string, action: string, target: string, details: object): void {
    const log = this.auditLog.get(botId) ?? [];
    log.push({ eventId: randomUUID(), botId, admin, action, target, detailsJson: JSON.stringify(details), occurredAt: new Date().toISOString() });
    this.auditLog.set(botId, log);
  }

  /**
   * @internal Newest first. The cursor is deliberately long (as an opaque, signed cursor can be), so the
   * admin menu must not put it into callback data.
   */
  auditPage(botId: string, limit: number, cursor: string | undefined): QueryAuditReplyJson {
    const newestFirst = [...(this.auditLog.get(botId) ?? [])].reverse();
    const offset = cursor ? Number(cursor.split(':').pop()) : 0;
    const entries = newestFirst.slice(offset, offset + limit);
    const next = offset + limit < newestFirst.length ? `audit-cursor-${'0'.repeat(64)}:${offset + limit}` : undefined;
    return { entries, ...(next ? { nextCursor: next } : {}) };
  }
}

// Declared after MembersStandIn: its constructor's decorator metadata names that class.
@RpcController()
class MembersStandInController {
  constructor(@Inject(STAND_IN) private readonly users: MembersStandIn) {}

  @RpcHandler(RPC.users.registerUser)
  registerUser(@Payload() request: RegisterUserRequestJson): RegisterUserReplyJson {
    return this.users.serve(RPC.users.registerUser, request, () => this.users.register(request));
  }

  @RpcHandler(RPC.users.getMember)
  getMember(@Payload() request: GetMemberRequestJson): GetMemberReplyJson {
    return this.users.serve(RPC.users.getMember, request, () => {
      const member = this.users.member(request.botId!, request.telegramUserId!);
      return member ? { member } : {};
    });
  }

  @RpcHandler(RPC.users.findMembers)
  findMembers(@Payload() request: FindMembersRequestJson): FindMembersReplyJson {
    return this.users.serve(RPC.users.findMembers, request, () => ({ members: this.users.find(request.botId!, request.query ?? '', request.limit ?? 10) }));
  }

  @RpcHandler(RPC.users.listMembers)
  listMembers(@Payload() request: ListMembersRequestJson): ListMembersReplyJson {
    return this.users.serve(RPC.users.listMembers, request, () => this.users.list(request));
  }

  @RpcHandler(RPC.users.getBotCredentials)
  getBotCredentials(@Payload() request: GetBotCredentialsRequestJson): GetBotCredentialsReplyJson {
    return this.users.serve(RPC.users.getBotCredentials, request, () => this.users.botCredentials(request));
  }

  @RpcHandler(RPC.users.countMembers)
  countMembers(@Payload() request: CountMembersRequestJson): CountMembersReplyJson {
    return this.users.serve(RPC.users.countMembers, request, () => this.users.count(request.botId!));
  }

  @RpcHandler(RPC.users.setMemberLanguage)
  setMemberLanguage(@Payload() request: SetMemberLanguageRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.setMemberLanguage, request, () => {
      const member = this.users.requireMember(request.botId!, request.telegramUserId!);
      const changed = member.languageOverride !== request.languageCode;
      if (request.languageCode) member.languageOverride = request.languageCode;
      else delete member.languageOverride;
      return { member, changed };
    });
  }

  @RpcHandler(RPC.users.blockMember)
  blockMember(@Payload() request: MemberAdminActionRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.blockMember, request, () => {
      if (!request.reason) throw new StandInError('VALIDATION.FAILED', 'reason is required to block');
      return this.users.adminChange(request, 'admin', (member) => {
        if (member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN') return false;
        member.status = 'MEMBER_STATUS_BLOCKED_BY_ADMIN';
        member.blockReason = request.reason;
        return true;
      });
    });
  }

  @RpcHandler(RPC.users.unblockMember)
  unblockMember(@Payload() request: MemberAdminActionRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.unblockMember, request, () =>
      this.users.adminChange(request, 'admin', (member) => {
        if (member.status !== 'MEMBER_STATUS_BLOCKED_BY_ADMIN') return false;
        member.status = 'MEMBER_STATUS_ACTIVE';
        delete member.blockReason;
        return true;
      }),
    );
  }

  @RpcHandler(RPC.users.proposeAdmin)
  proposeAdmin(@Payload() request: MemberAdminActionRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.proposeAdmin, request, () =>
      this.users.adminChange(request, 'admin', (member) => {
        if (member.role !== 'MEMBER_ROLE_USER' || member.adminPending) return false;
        member.adminPending = true;
        return true;
      }),
    );
  }

  @RpcHandler(RPC.users.approveAdmin)
  approveAdmin(@Payload() request: MemberAdminActionRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.approveAdmin, request, () =>
      this.users.adminChange(request, 'owner', (member) => {
        if (member.role !== 'MEMBER_ROLE_USER') return false;
        member.role = 'MEMBER_ROLE_ADMIN';
        delete member.adminPending;
        return true;
      }),
    );
  }

  @RpcHandler(RPC.users.revokeAdmin)
  revokeAdmin(@Payload() request: MemberAdminActionRequestJson): MemberAdminActionReplyJson {
    return this.users.serve(RPC.users.revokeAdmin, request, () =>
      this.users.adminChange(request, 'owner', (member) => {
        if (member.role !== 'MEMBER_ROLE_ADMIN') return false;
        member.role = 'MEMBER_ROLE_USER';
        return true;
      }),
    );
  }

  @RpcHandler(RPC.users.recordBotBlocked)
  recordBotBlocked(@Payload() request: RecordBotBlockedRequestJson): RecordBotBlockedReplyJson {
    return this.users.serve(RPC.users.recordBotBlocked, request, () => {
      const member = this.users.member(request.botId!, request.telegramUserId!);
      if (!member) return {};
      const blocked = request.blocked === true;
      if (blocked === (member.status === 'MEMBER_STATUS_BOT_BLOCKED_BY_USER')) return {};
      if (member.status === 'MEMBER_STATUS_BLOCKED_BY_ADMIN') return {};
      member.status = blocked ? 'MEMBER_STATUS_BOT_BLOCKED_BY_USER' : 'MEMBER_STATUS_ACTIVE';
      return { changed: true };
    });
  }

  @RpcHandler(RPC.users.getBotConfig)
  getBotConfig(@Payload() request: GetBotConfigRequestJson): BotConfigJson {
    return this.users.serve(RPC.users.getBotConfig, request, () => this.users.config(request.botId!));
  }

  @RpcHandler(RPC.users.setFeatureFlag)
  setFeatureFlag(@Payload() request: SetFeatureFlagRequestJson): BotConfigJson {
    return this.users.serve(RPC.users.setFeatureFlag, request, () => {
      this.users.requireRole(request.botId!, request.changedBy!, 'admin');
      this.users.flagsOf(request.botId!)[request.flag!] = request.enabled === true;
      this.users.audit(request.botId!, request.changedBy!, 'bot.feature-flag-changed', `flag:${request.flag}`, { enabled: request.enabled === true });
      return this.users.config(request.botId!);
    });
  }

  @RpcHandler(RPC.users.setSetting)
  setSetting(@Payload() request: SetSettingRequestJson): BotConfigJson {
    return this.users.serve(RPC.users.setSetting, request, () => {
      this.users.requireRole(request.botId!, request.changedBy!, 'admin');
      const settings = this.users.settingsOf(request.botId!);
      const existing = settings.find((setting) => setting.key === request.key);
      if (!existing && !request.type) throw new StandInError('VALIDATION.FAILED', `a new setting needs a type`);
      if (existing && request.type && request.type !== existing.type) throw new StandInError('VALIDATION.FAILED', `setting ${request.key} is ${existing.type}`);
      const setting: BotSettingJson = {
        key: request.key!,
        type: existing?.type ?? request.type!,
        valueJson: request.valueJson!,
        description: request.description ?? existing?.description ?? '',
      };
      settings.splice(existing ? settings.indexOf(existing) : settings.length, existing ? 1 : 0, setting);
      this.users.audit(request.botId!, request.changedBy!, 'bot.setting-changed', `setting:${request.key}`, { value: request.valueJson });
      return this.users.config(request.botId!);
    });
  }

  @RpcHandler(RPC.users.queryAudit)
  queryAudit(@Payload() request: QueryAuditRequestJson): QueryAuditReplyJson {
    return this.users.serve(RPC.users.queryAudit, request, () => this.users.auditPage(request.botId!, request.limit ?? 20, request.cursor));
  }
}
