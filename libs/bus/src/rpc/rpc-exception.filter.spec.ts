import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { InProcessBroker, InProcessClient, InProcessServer } from './in-process.transport.js';
import { RpcClient } from './rpc-client.js';
import { RpcController } from './rpc-controller.decorator.js';
import { RpcCallError } from './rpc-error.js';

class MemberNotFoundError extends Error {
  readonly code = 'USERS.NOT_A_MEMBER';
}

/** What a driver throws: a code of its own and a message full of internals. */
class DriverError extends Error {
  readonly code = '42P01';
}

@RpcController()
class FailingHandlers {
  @MessagePattern('rpc.test.typed')
  typed(): never {
    throw new MemberNotFoundError('42 is not a member of the bot');
  }

  @MessagePattern('rpc.test.driver')
  driver(): never {
    throw new DriverError('relation "users.memberships" does not exist at 10.0.0.5:5432');
  }

  @MessagePattern('rpc.test.plain')
  plain(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'botId')");
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

  const failureOf = async (pattern: `rpc.${string}`) => (await client.call(pattern, {}).catch((error: unknown) => error)) as RpcCallError;

  it("passes a typed error's code and message to the caller", async () => {
    expect(await failureOf('rpc.test.typed')).toMatchObject({ code: 'USERS.NOT_A_MEMBER', message: expect.stringContaining('42 is not a member') });
  });

  it("answers a driver's error as INTERNAL, without its code or message (no SQL, no hosts)", async () => {
    const failure = await failureOf('rpc.test.driver');
    expect(failure).toBeInstanceOf(RpcCallError);
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).not.toMatch(/relation|10\.0\.0\.5/);
  });

  it('answers any other error as INTERNAL', async () => {
    expect((await failureOf('rpc.test.plain')).code).toBe('INTERNAL');
  });
});
