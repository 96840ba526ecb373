import { InProcessBroker, InProcessServer, RpcController, RpcHandler } from '@botplatform/bus';
import {
  RPC,
  type MemberAdminActionReplyJson,
  type MemberViewJson,
  type RpcMethod,
  type RecordBotBlockedReplyJson,
  type RecordBotBlockedRequestJson,
  type RegisterUserReplyJson,
  type RegisterUserRequestJson,
  type SetMemberLanguageRequestJson,
} from '@botplatform/contracts';
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
 * Test-only stand-in for the users service's members: a real Nest microservice serving the
 * `rpc.users.*` patterns the bot pipeline calls, over the in-process RPC transport, with its state in
 * memory. It applies the rules the pipeline relies on (the owner, typed errors with the service's
 * codes) and records every request for assertions.
 */
export class MembersStandIn {
  private readonly members = new Map<string, MemberViewJson>();
  private readonly owners = new Map<string, string>();
  private readonly failures = new Map<string, { code: string; message: string; details: Record<string, unknown> | undefined }[]>();
  /** Every request received, oldest first. */
  readonly calls: ReceivedCall[] = [];
  private app: INestMicroservice | undefined;

  private constructor(readonly broker: InProcessBroker) {}

  static async start(broker = new InProcessBroker()): Promise<MembersStandIn> {
    const standIn = new MembersStandIn(broker);
    @Module({ controllers: [MembersStandInController], providers: [{ provide: STAND_IN, useValue: standIn }] })
    class StandInModule {}
    standIn.app = await NestFactory.createMicroservice(StandInModule, { strategy: new InProcessServer(broker), logger: false });
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
}

// Declared after MembersStandIn: its constructor's decorator metadata names that class.
@RpcController()
class MembersStandInController {
  constructor(@Inject(STAND_IN) private readonly users: MembersStandIn) {}

  @RpcHandler(RPC.users.registerUser)
  registerUser(@Payload() request: RegisterUserRequestJson): RegisterUserReplyJson {
    return this.users.serve(RPC.users.registerUser, request, () => this.users.register(request));
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
}
