import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { paymentsService } from '@botplatform/payments';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { Clock, subscriptionsService } from '@botplatform/subscriptions';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import { INSECURE_DEVELOPMENT_TOKEN_KEYS, createUsersService, registerTestBot } from '@botplatform/users';

/** A bot that sells: subscriptions and payments as the platform starts them, and the feature test kit. */
export interface ShopHarness {
  readonly subscriptions: RunningService;
  readonly payments: RunningService;
  /** Started only when asked (`users`): the shop is then a bot registered there, its members registered by RPC. */
  readonly users?: RunningService;
  readonly rpc: RpcClient;
  /** The in-process broker both services answer on (a test may add a stand-in of another service's RPC). */
  readonly broker: InProcessBroker;
  /** The bus both services publish on, and the database it runs in (a test may observe the public events). */
  readonly bus: EmbeddedEventBus;
  readonly databaseUrl: string;
  readonly kit: FeatureTestKit;
  /** The bot the members buy from. */
  readonly shop: KitBot;
  close(): Promise<void>;
}

export interface ShopHarnessOptions {
  /** Also start the users service and register the shop there with these settings (referrals follow its members). */
  readonly users?: { readonly settings?: Record<string, unknown> };
  /** The subscriptions service's time (a test clock), instead of the system's. */
  readonly subscriptionsClock?: Clock;
}

/**
 * Starts subscriptions and payments on one database and one in-process broker (payments reads plans
 * from subscriptions and has them granted there), and the feature test kit routing the sandbox's updates
 * to both by their declarations, without the gateway. `subscriptionsClock`: the subscriptions service's time
 * (a test moving it to a renewal's or an expiry's time). Whatever was started before a failing step is
 * closed again.
 */
export async function startShopHarness(databasePrefix: string, options: ShopHarnessOptions = {}): Promise<ShopHarness> {
  let database: TestDatabase | undefined;
  const bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
  const broker = new InProcessBroker();
  const transport: RpcTransport = { kind: 'in-process', broker };
  const rpc = createRpcClient(transport);
  let users: RunningService | undefined;
  let subscriptions: RunningService | undefined;
  let payments: RunningService | undefined;
  let kit: FeatureTestKit | undefined;
  const close = async () => {
    await kit?.close();
    await rpc.close();
    await payments?.close();
    await subscriptions?.close();
    await users?.close();
    await bus.close();
    await database?.drop();
  };
  try {
    database = await createTestDatabase(databasePrefix);
    let botId: string | undefined;
    if (options.users) {
      const usersService = createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: 'operator-token-for-tests' });
      users = await startService(usersService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
      ({ botId } = await registerTestBot(users.dependencies.store, users.dependencies.orm.em.fork(), { name: 'Shop', settings: options.users.settings ?? {} }));
    }
    const { subscriptionsClock } = options;
    // A test's clock replaces the service's (the dynamic module's providers come after the module's own).
    const subscriptionsDefinition = subscriptionsClock
      ? {
          ...subscriptionsService,
          module: (dependencies: Parameters<typeof subscriptionsService.module>[0]) => {
            const module = subscriptionsService.module(dependencies);
            return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: subscriptionsClock }] };
          },
        }
      : subscriptionsService;
    subscriptions = await startService(subscriptionsDefinition, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    payments = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    const started = { subscriptions, payments };
    kit = await FeatureTestKit.start({
      rpc,
      declarations: () => [started.subscriptions.declarer!.router.declaration(), started.payments.declarer!.router.declaration()],
    });
    const shop = await kit.bot({ name: 'Shop', ...(botId ? { botId } : {}) });
    return { subscriptions, payments, ...(users ? { users } : {}), rpc, broker, bus, databaseUrl: database.url, kit, shop, close };
  } catch (error) {
    await close();
    throw error;
  }
}
