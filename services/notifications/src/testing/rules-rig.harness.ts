import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { UserRegisteredSchema } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { randomUUID } from 'node:crypto';
import { notificationsService } from '../notifications.service.js';
import type { MessageSendRequested } from '../outbound/outbound-message.decider.js';
import { SourceServices } from './source-services.harness.js';

/**
 * The notifications service on a database of its own, with stand-ins of the services whose events its
 * rules turn into messages, and what a rules test reads back: the send requests a member got and the
 * rules' decisions.
 */
export interface RulesRig {
  readonly service: RunningService;
  readonly sources: SourceServices;
  readonly rpc: RpcClient;
  /** When the stand-ins say their events happened. */
  readonly at: string;
  sql<T extends object>(query: string, parameters?: unknown[]): Promise<T[]>;
  /** The send requests to the member's chat, oldest first. Read in the table (readAll waits for the server's horizon). */
  messagesTo(telegramUserId: number): Promise<MessageSendRequested['data'][]>;
  /** The rules decided for the member (welcome left out), in order. */
  decided(telegramUserId: number): Promise<{ rule: string; outcome: string }[]>;
  /** A new member of the bot, registered through the users stand-in and known to the service once this resolves. */
  member(language: string, botId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startRulesRig(
  databasePrefix: string,
  sourceNames: readonly string[],
  options: { readonly firstUser: number; readonly at: string },
): Promise<RulesRig> {
  let database: TestDatabase | undefined;
  let service: RunningService | undefined;
  let sources: SourceServices | undefined;
  const bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
  const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
  const rpc = createRpcClient(transport);
  const close = async () => {
    await rpc.close();
    await sources?.close();
    await bus.close();
    await service?.close();
    await database?.drop();
  };
  try {
    database = await createTestDatabase(databasePrefix);
    service = await startService(notificationsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    sources = await SourceServices.start(database.url, bus, [...sourceNames]);
    const running = service;
    const standIns = sources;
    const sql = <T extends object>(query: string, parameters: unknown[] = []) => runSql<T>(running.dependencies.orm.em.fork(), query, parameters);
    let nextUser = options.firstUser;
    return {
      service: running,
      sources: standIns,
      rpc,
      at: options.at,
      sql,
      messagesTo: async (telegramUserId) =>
        (
          await sql<{ data: MessageSendRequested['data'] }>(
            "SELECT data FROM notifications.event_store_events WHERE type = 'MessageSendRequested' AND (data->>'chatId')::bigint = $1 ORDER BY global_position",
            [telegramUserId],
          )
        ).map((row) => row.data),
      decided: (telegramUserId) =>
        sql<{ rule: string; outcome: string }>(
          "SELECT rule, outcome FROM notifications.notification_rule_sends WHERE telegram_user_id = $1 AND rule <> 'welcome' ORDER BY decided_at, rule",
          [telegramUserId],
        ),
      member: async (language, botId) => {
        const telegramUserId = ++nextUser;
        await standIns.publish('users', UserRegisteredSchema, botId, {
          botId,
          userId: randomUUID(),
          telegramUserId: String(telegramUserId),
          firstName: `Ann${telegramUserId}`,
          languageCode: language,
          isPremium: false,
          registeredAt: options.at,
        });
        await waitFor('the recipient row', async () =>
          (await sql('SELECT 1 FROM notifications.notification_recipients WHERE telegram_user_id = $1', [telegramUserId])).length > 0 ? true : undefined,
        );
        return telegramUserId;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
