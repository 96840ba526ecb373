import { EmbeddedEventBus, InProcessBroker, type RpcCallError, type RpcClient } from '@botplatform/bus';
import { RPC, type RegisterUserReplyJson, type RegisterUserRequestJson } from '@botplatform/contracts';
import { Clock, createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { TestClock } from '@botplatform/service-kit/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS } from '../../bot/bot-token-cipher.js';
import { registerTestBot, type TestBotOptions } from '../../bot/testing/register-test-bot.js';
import { createUsersService } from '../../users.service.js';

/** The users service running for one test file: its own database, the in-process bus and RPC, a test clock. */
export interface UsersTestService {
  readonly users: RunningService;
  /** The in-process request/reply the service answers on (a test may answer the gateway's RPCs on it). */
  readonly broker: InProcessBroker;
  readonly rpc: RpcClient;
  readonly clock: TestClock;
  /** `rpc.call`: one RPC its contract declares, typed by it. */
  readonly call: RpcClient['call'];
  /** The typed error a call fails with (and a test failure if it succeeds). */
  failure(call: Promise<unknown>): Promise<RpcCallError>;
  registerBot(options?: TestBotOptions): Promise<{ botId: string; apiToken: string }>;
  /** rpc.users.register-user with a profile filled in. */
  see(botId: string, telegramUserId: number, profile?: Partial<RegisterUserRequestJson>): Promise<RegisterUserReplyJson>;
  close(): Promise<void>;
}

/** Starts the users service as startService does in production, with `clock` in place of the wall clock. */
export async function startUsersTestService(prefix: string, start: Date = new Date('2026-11-23T10:00:00.000Z')): Promise<UsersTestService> {
  const clock = new TestClock(start);
  const base = createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: 'operator-token-for-tests' });
  const definition = {
    ...base,
    // Providers of the dynamic module come after the module's own, so this Clock replaces SystemClock.
    module: (dependencies: Parameters<typeof base.module>[0]) => {
      const module = base.module(dependencies);
      return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: clock }] };
    },
  };
  let database: TestDatabase | undefined;
  let bus: EmbeddedEventBus | undefined;
  let users: RunningService | undefined;
  try {
    database = await createTestDatabase(prefix);
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const broker = new InProcessBroker();
    users = await startService(definition, { databaseUrl: database.url, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    const rpc = createRpcClient({ kind: 'in-process', broker });
    const running = users;
    const call: RpcClient['call'] = (method, request) => rpc.call(method, request);
    return {
      users: running,
      broker,
      rpc,
      clock,
      call,
      failure: (promise) =>
        promise.then(
          () => {
            throw new Error('expected the call to fail');
          },
          (error: unknown) => error as RpcCallError,
        ),
      registerBot: (options = {}) => registerTestBot(running.dependencies.store, running.dependencies.orm.em, options),
      see: (botId, telegramUserId, profile = {}) =>
        call(RPC.users.registerUser, { botId, telegramUserId: String(telegramUserId), firstName: `User ${telegramUserId}`, ...profile }),
      close: async () => {
        await rpc.close();
        await running.close();
        await bus!.close();
        await database!.drop();
      },
    };
  } catch (error) {
    await users?.close();
    await bus?.close();
    await database?.drop();
    throw error;
  }
}
