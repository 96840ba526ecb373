import { RPC, rpcErrorDetailsOf, timestampDate, type RpcMethod } from '@botplatform/contracts';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InProcessBroker, InProcessClient, InProcessServer } from './in-process.transport.js';
import { RpcClient } from './rpc-client.js';
import { RpcController, RpcHandler } from './rpc-controller.decorator.js';
import { RpcCallError } from './rpc-error.js';

class MemberNotFoundError extends Error {
  readonly code = 'USERS.NOT_A_MEMBER';
}

/** What a driver throws: a code of its own and a message full of internals. */
class DriverError extends Error {
  readonly code = '42P01';
}

/** A typed error whose code declares details (QuotaExceededDetails), and one whose code declares none. */
class QuotaExceededError extends Error {
  readonly code = 'USERS.QUOTA_EXCEEDED';
  readonly details = { used: 3, limit: 3, requested: 1, resetsAt: '2026-11-24T21:00:00.000Z' };
}
class BlockedWithSecretsError extends Error {
  readonly code = 'USERS.MEMBER_BLOCKED';
  readonly details = { internalHost: '10.0.0.5' };
}

// Any declared RPCs will do: these handlers only fail, on a broker of their own.
const TYPED = RPC.users.getMember;
const DRIVER = RPC.users.findMembers;
const PLAIN = RPC.users.countMembers;
const WITH_DETAILS = RPC.users.consumeQuota;
const UNDECLARED_DETAILS = RPC.users.registerUser;

@RpcController()
class FailingHandlers {
  @RpcHandler(TYPED)
  typed(): never {
    throw new MemberNotFoundError('42 is not a member of the bot');
  }

  @RpcHandler(DRIVER)
  driver(): never {
    throw new DriverError('relation "users.memberships" does not exist at 10.0.0.5:5432');
  }

  @RpcHandler(PLAIN)
  plain(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'botId')");
  }

  @RpcHandler(WITH_DETAILS)
  withDetails(): never {
    throw new QuotaExceededError('daily quota exceeded');
  }

  @RpcHandler(UNDECLARED_DETAILS)
  undeclaredDetails(): never {
    throw new BlockedWithSecretsError('blocked');
  }
}

@Module({ controllers: [FailingHandlers] })
class FailingModule {}

describe('RpcErrorFilter', () => {
  let app: INestMicroservice;
  let client: RpcClient;

  beforeAll(async () => {
    const broker = new InProcessBroker();
    app = await NestFactory.createMicroservice(FailingModule, { strategy: new InProcessServer(broker), logger: false });
    await app.listen();
    client = new RpcClient(new InProcessClient(broker));
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
  });

  const failureOf = async (method: RpcMethod) => (await client.call(method, {}).catch((error: unknown) => error)) as RpcCallError;

  it("passes a typed error's code and message to the caller", async () => {
    expect(await failureOf(TYPED)).toMatchObject({ code: 'USERS.NOT_A_MEMBER', message: expect.stringContaining('42 is not a member') });
  });

  it("answers a driver's error as INTERNAL, without its code or message (no SQL, no hosts)", async () => {
    const failure = await failureOf(DRIVER);
    expect(failure).toBeInstanceOf(RpcCallError);
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).not.toMatch(/relation|10\.0\.0\.5/);
  });

  it('answers any other error as INTERNAL', async () => {
    expect((await failureOf(PLAIN)).code).toBe('INTERNAL');
  });

  it("passes the details a typed error's code declares, typed on the caller's side", async () => {
    const failure = await failureOf(WITH_DETAILS);
    expect(failure.details).toEqual({ used: 3, limit: 3, requested: 1, resetsAt: '2026-11-24T21:00:00Z' });
    const details = rpcErrorDetailsOf(failure, 'USERS.QUOTA_EXCEEDED');
    expect(details?.resetsAt && timestampDate(details.resetsAt)).toEqual(new Date('2026-11-24T21:00:00.000Z'));
  });

  it('passes no details for a code that declares none', async () => {
    const failure = await failureOf(UNDECLARED_DETAILS);
    expect(failure.code).toBe('USERS.MEMBER_BLOCKED');
    expect(failure.details).toBeUndefined();
  });
});
