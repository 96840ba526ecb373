import { FeatureTestKit, type KitBot } from '@botplatform/bot-kit';
import { EmbeddedEventBus, InProcessBroker, type RpcClient } from '@botplatform/bus';
import { createRpcClient, startService, type RpcTransport, type RunningService } from '@botplatform/service-kit';
import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { Message } from 'grammy/types';
import { paymentsService } from '../payments.service.js';
import { Note } from '../note/note.entity.js';

const text = (expected: string) => (message: Message) => message.text === expected;

/**
 * The service's bot screen as a member uses it: the service started as the platform starts it, and the
 * feature test kit playing the gateway's routing against the Telegram sandbox.
 */
describe('/payments in a bot', () => {
  let database: TestDatabase;
  let bus: EmbeddedEventBus;
  let service: RunningService;
  let rpc: RpcClient;
  let kit: FeatureTestKit;
  let bot: KitBot;

  const notesOf = (botId: string) => service.dependencies.orm.em.fork().find(Note, { botId });

  beforeAll(async () => {
    database = await createTestDatabase('bp_payments_bot');
    bus = new EmbeddedEventBus({ pollIntervalMs: 50 });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    service = await startService(paymentsService, { databaseUrl: database.url, bus, rpc: transport, httpPort: 0, logger: false });
    rpc = createRpcClient(transport);
    const router = service.declarer!.router;
    kit = await FeatureTestKit.start({ rpc, declarations: () => [router.declaration()] });
    bot = await kit.bot({ name: 'Notes' });
  });

  afterAll(async () => {
    await kit?.close();
    await rpc?.close();
    await service?.close();
    await bus?.close();
    await database?.drop();
  });

  it('keeps the text of the command as a note', async () => {
    const chat = bot.chat(kit.user('Ann'));
    chat.sendCommand('payments', 'buy milk');
    await chat.waitForMessage(text('Noted.'));
    expect((await notesOf(bot.botId)).map((note) => note.text)).toContain('buy milk');
  });

  it('asks for the text when the command has none, in the member\'s language, and again from the button', async () => {
    const chat = bot.chat(kit.user('Boris', 'ru'));
    chat.sendCommand('payments');
    await chat.waitForMessage(text('Что записать?'));
    chat.sendText('позвонить маме');
    const noted = await chat.waitForMessage(text('Записал.'));
    await chat.pressCallbackButton(noted, 'Ещё заметку');
    await chat.waitForMessage((message) => message.text === 'Что записать?' && chat.botMessages().length === 3);
    chat.sendText('купить хлеб');
    await chat.waitForMessage((message) => message.text === 'Записал.' && chat.botMessages().length === 4);
    expect((await notesOf(bot.botId)).map((note) => note.text)).toEqual(expect.arrayContaining(['позвонить маме', 'купить хлеб']));
  });
});
