import { BusNaming, JetStreamEventBus, natsAuthOptions, type RpcClient } from '@botplatform/bus';
import { RPC, rpcSubjectsOf, type RegisterBotRequestJson } from '@botplatform/contracts';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { createUsersService, INSECURE_DEVELOPMENT_TOKEN_KEYS, randomTestBotToken } from '@botplatform/users';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { startPlatformNats, type PlatformNats } from './testing/platform-nats.js';

/**
 * Trust between services on the broker as deployed (deploy/nats/nats-server.conf): the users service
 * runs distributed on a private nats-server with the platform's users and permissions, and every other
 * party tries what it must not do. Refusals are the broker's, so no request ever reaches the service.
 */
describe('The broker permissions of the platform', () => {
  let nats: PlatformNats;
  let database: TestDatabase;
  let bus: JetStreamEventBus;
  let users: RunningService;
  const connections: NatsConnection[] = [];
  const clients: RpcClient[] = [];
  const botToken = randomTestBotToken();
  let botId: string;

  const transportOf = (user: string): RpcTransport => ({ kind: 'nats', servers: nats.url, credentials: nats.credentialsOf(user) });
  const clientOf = (user: string) => {
    const client = createRpcClient(transportOf(user));
    clients.push(client);
    return client;
  };
  const connectAs = async (user: string) => {
    const connection = await connect({ servers: nats.url, ...natsAuthOptions(nats.credentialsOf(user)) });
    connections.push(connection);
    return connection;
  };
  /** A request as Nest's NATS client sends it, straight on the connection, so a refusal shows as such. */
  const rawRequest = (connection: NatsConnection, pattern: string, data: object) =>
    connection.request(pattern, JSON.stringify({ pattern, data, id: randomUUID() }), { timeout: 5_000 });
  /** What a refused call ends with: the broker's permissions error (the client wraps it in a RequestError). */
  const refusalOf = (attempt: Promise<unknown>) =>
    attempt.then(
      (value) => ({ answered: value instanceof Object && 'string' in value ? (value as Msg).string() : value }),
      (error: unknown) => (error instanceof Error && error.name === 'RequestError' && error.cause ? error.cause : error),
    );
  const registration = (name: string): RegisterBotRequestJson => ({ name, token: randomTestBotToken(), ownerTelegramUserId: '4242' });

  beforeAll(async () => {
    nats = await startPlatformNats();
    database = await createTestDatabase('bp_nats_access');
    const credentials = nats.credentialsOf('users');
    bus = await JetStreamEventBus.connect(nats.url, 'users', { credentials, relay: { pollIntervalMs: 20 } });
    users = await startService(createUsersService({ tokenKeys: INSECURE_DEVELOPMENT_TOKEN_KEYS, operatorToken: 'nats-access-operator-token' }), {
      databaseUrl: database.url,
      bus,
      rpc: transportOf('users'),
      httpPort: 0,
      logger: false,
    });
    const reply = await clientOf('operator').call(RPC.users.registerBot, {
      name: 'Token bot',
      token: botToken,
      ownerTelegramUserId: '4242',
    });
    botId = reply.botId!;
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await users?.close();
    await bus?.close();
    await nats?.dispose();
    await database?.drop();
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toMatchObject({ name: 'AuthorizationError' });
    await expect(connect({ servers: nats.url, user: 'gateway', pass: 'guessed', maxReconnectAttempts: 0 })).rejects.toMatchObject({
      name: 'AuthorizationError',
    });
  });

  it("gives the bot tokens to the gateway's credentials", async () => {
    const reply = await clientOf('gateway').call(RPC.users.getBotCredentials, { botId });
    expect(reply.bots).toEqual([expect.objectContaining({ botId, token: botToken })]);
  });

  it.each(['notifications', 'operator', 'users'])('refuses the bot tokens to %s, with a permissions error', async (user) => {
    const connection = await connectAs(user);
    const outcome = await refusalOf(rawRequest(connection, RPC.users.getBotCredentials.subject, { botId }));
    expect(outcome).toMatchObject({ name: 'PermissionViolationError', operation: 'publish', subject: RPC.users.getBotCredentials.subject });
    expect(JSON.stringify(outcome)).not.toContain(botToken);
  });

  it("lets no other service listen in on the gateway's requests and replies", async () => {
    const eavesdropper = await connectAs('notifications');
    const heard: string[] = [];
    const refused: unknown[] = [];
    for (const subject of ['_INBOX.>', '_INBOX.gateway.>', rpcSubjectsOf('users'), '>']) {
      eavesdropper.subscribe(subject, {
        callback: (error, message) => {
          if (error) refused.push(error);
          else heard.push(message.string());
        },
      });
    }
    await eavesdropper.flush();
    await waitFor('the broker to refuse the four subscriptions', () => refused.length === 4);

    const reply = await clientOf('gateway').call(RPC.users.getBotCredentials, { botId });
    expect(reply.bots?.[0]?.token).toBe(botToken);
    await eavesdropper.flush();
    expect(heard.filter((text) => text.includes(botToken))).toEqual([]);
    expect(refused).toEqual(Array(4).fill(expect.objectContaining({ name: 'PermissionViolationError', operation: 'subscription' })));
  });

  it.each(['notifications', 'gateway'])('refuses bot registration to %s', async (user) => {
    const connection = await connectAs(user);
    const outcome = await refusalOf(rawRequest(connection, RPC.users.registerBot.subject, registration(`Bot of ${user}`)));
    expect(outcome).toMatchObject({ name: 'PermissionViolationError', operation: 'publish', subject: RPC.users.registerBot.subject });
  });

  it("lets the operator's tool register a bot", async () => {
    const reply = await clientOf('operator').call(RPC.users.registerBot, registration('Operator bot'));
    expect(reply.botId).toEqual(expect.any(String));
    expect(reply.apiToken).toEqual(expect.any(String));
  });

  it("refuses a service publishing another service's events", async () => {
    const stream = new BusNaming().streamOf('users');
    const usersJsm = await jetstreamManager(await connectAs('users'));
    await waitFor('the users stream', () =>
      usersJsm.streams.info(stream).then(
        () => true,
        () => false,
      ),
    );

    const forger = jetstream(await connectAs('notifications'));
    const outcome = await refusalOf(forger.publish('users.user.registered.v1', 'forged'));
    expect(outcome).toMatchObject({ name: 'PermissionViolationError', subject: 'users.user.registered.v1' });
    // The users service's own events keep arriving meanwhile: look for the forged one itself.
    const last = await usersJsm.streams.getMessage(stream, { last_by_subj: 'users.user.registered.v1' }).catch(() => null);
    expect(last?.string()).not.toBe('forged');
  });

  it("lets a service park and read back its own dead letters, and no one else's", async () => {
    const naming = new BusNaming();
    const connection = await connectAs('notifications');
    const jsm = await jetstreamManager(connection);
    await jsm.streams.add({ name: naming.deadLetterStream, subjects: [naming.deadLetterSubjects] });
    const js = jetstream(connection);
    await js.publish(naming.deadLetterSubject('notifications--recipients'), 'parked');
    const readerOf = (consumer: string) =>
      js.consumers.get(naming.deadLetterStream, { filter_subjects: naming.deadLetterSubject(consumer), deliver_policy: DeliverPolicy.All });

    const own = await readerOf('notifications--recipients');
    expect((await own.next({ expires: 1_000 }))?.string()).toBe('parked');
    expect(await refusalOf(readerOf('gateway--outbound'))).toMatchObject({ name: 'PermissionViolationError', operation: 'publish' });
    expect(await refusalOf(js.publish(naming.deadLetterSubject('gateway--outbound'), 'forged'))).toMatchObject({
      name: 'PermissionViolationError',
    });
  });

  it("refuses a service reading another service's consumer", async () => {
    const jsm = await jetstreamManager(await connectAs('notifications'));
    const outcome = await refusalOf(jsm.consumers.add('USERS', { durable_name: 'gateway--bot-registry' }));
    expect(outcome).toMatchObject({ name: 'PermissionViolationError', subject: '$JS.API.CONSUMER.CREATE.USERS.gateway--bot-registry' });
  });

  it('lets a consumer read its source stream by sequence (its catch-up after a crash), and no other stream', async () => {
    const naming = new BusNaming();
    const usersJsm = await jetstreamManager(await connectAs('users'));
    await waitFor('an event in the users stream', async () => (await usersJsm.streams.info(naming.streamOf('users'))).state.messages > 0);
    // The gateway consumes the users and notifications streams, not the subscriptions one.
    const jsm = await jetstreamManager(await connectAs('gateway'));
    const first = await jsm.streams.getMessage(naming.streamOf('users'), { seq: 1 });
    expect(first?.subject).toMatch(/^users\./);
    expect(await refusalOf(jsm.streams.getMessage(naming.streamOf('subscriptions'), { seq: 1 }))).toMatchObject({
      name: 'PermissionViolationError',
      subject: `$JS.API.STREAM.MSG.GET.${naming.streamOf('subscriptions')}`,
    });
  });
});
