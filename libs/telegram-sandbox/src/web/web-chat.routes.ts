import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxUsageError } from '../errors/sandbox-usage.error.js';
import { readBody } from '../http/request-body.parser.js';
import type { SandboxCore } from '../sandbox-core.js';
import type { CreateBotInput, SandboxBot } from '../sandbox-entities.js';
import type { ConversationEvent } from '../state/sandbox-events.js';
import type { ConversationRecord, UserRecord } from '../state/sandbox-records.js';

/** The page's static files live next to src/ and dist/, so the same relative path works from both. */
const STATIC_ROOT = new URL('../../web-chat/', import.meta.url);
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/web-chat/web-chat.js': { file: 'web-chat.js', type: 'text/javascript; charset=utf-8' },
  '/web-chat/web-chat.css': { file: 'web-chat.css', type: 'text/css; charset=utf-8' },
};

/** How long the page waits for a callback answer before showing the press as unanswered. */
const CALLBACK_ANSWER_WAIT_MS = 3000;
const SSE_KEEPALIVE_MS = 15_000;

type Json = Record<string, unknown>;

/** What the routes do through the sandbox's own API, so the page and a test create things the same way. */
export interface WebChatActions {
  advanceTime(days: number): Promise<unknown>;
  createBot(input: CreateBotInput): SandboxBot;
}

/**
 * The web chat: static page plus a small JSON/SSE API over the users' side. Everything here goes
 * through the same {@link UserActions} as the typed test API.
 */
export class WebChatRoutes {
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly core: SandboxCore,
    private readonly actions: WebChatActions,
  ) {}

  /** Handles the request if it belongs to the web chat; returns false otherwise. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const staticFile = STATIC_FILES[url.pathname];
    if (staticFile && request.method === 'GET') {
      const content = await readFile(new URL(staticFile.file, STATIC_ROOT));
      response.writeHead(200, { 'content-type': staticFile.type, 'cache-control': 'no-store' }).end(content);
      return true;
    }
    if (!url.pathname.startsWith('/sandbox/api/')) return false;
    const route = `${request.method} ${url.pathname.slice('/sandbox/api'.length)}`;
    try {
      switch (route) {
        case 'GET /state':
          return this.json(response, this.state());
        case 'GET /conversation':
          return this.json(response, this.conversationView(this.conversation(url.searchParams)));
        case 'GET /events':
          return this.openStream(response, this.conversation(url.searchParams));
        case 'GET /file':
          return this.sendFile(response, url.searchParams);
        case 'POST /bots':
          return this.json(response, this.createBot(await readJson(request)), 201);
        case 'POST /users':
          return this.json(response, this.createUser(await readJson(request)));
        case 'POST /send':
          return this.json(response, this.send(await readJson(request)));
        case 'POST /press':
          return this.json(response, await this.press(await readJson(request)));
        case 'POST /pay':
          return this.json(response, await this.pay(await readJson(request)));
        case 'POST /block':
          return this.json(response, this.block(await readJson(request)));
        case 'POST /time':
          return this.json(response, { renewals: await this.actions.advanceTime(Number((await readJson(request)).days)) });
        default:
          return this.json(response, { error: `No route ${route}` }, 404);
      }
    } catch (error) {
      if (error instanceof SandboxUsageError) return this.json(response, { error: error.message, code: error.code }, 400);
      throw error;
    }
  }

  /** Ends every open event stream (the sandbox is stopping). */
  closeStreams(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private state(): Json {
    const { store } = this.core;
    return {
      bots: [...store.bots.values()].map((bot) => ({ id: bot.id, username: bot.username, firstName: bot.firstName })),
      users: [...store.users.values()].map((user) => ({ id: user.id, firstName: user.firstName, username: user.username })),
      groups: [...store.groups.values()].map((group) => ({
        id: group.id,
        title: group.title,
        memberIds: [...group.members.keys()],
        botIds: [...group.bots.keys()],
      })),
      now: this.core.clock.unixTime(),
    };
  }

  private conversationView(conversation: ConversationRecord): Json {
    return {
      key: conversation.key,
      blocked: conversation.blocked,
      replyKeyboard: conversation.replyKeyboard ?? null,
      messages: this.core.store.liveMessages(conversation).map((stored) => ({
        message: stored.message,
        fromBot: stored.author.kind === 'bot',
        hasInvoice: this.core.payments.findInvoiceForMessage(conversation.key, stored.message.message_id) !== undefined,
      })),
    };
  }

  private conversation(params: URLSearchParams | Json): ConversationRecord {
    const read = (name: string): number => Number(params instanceof URLSearchParams ? params.get(name) : params[name]);
    const botId = read('bot');
    const chatId = read('chat');
    const bot = this.core.store.requireBot(botId);
    if (chatId > 0) return this.core.store.privateConversation(bot.id, this.core.store.requireUser(chatId).id);
    const group = this.core.store.requireGroup(chatId);
    if (!group.bots.has(bot.id)) throw new SandboxUsageError('SANDBOX.NOT_A_MEMBER', `@${bot.username} is not in "${group.title}"`);
    return this.core.store.groupConversation(group);
  }

  private actingUser(conversation: ConversationRecord, body: Json): UserRecord {
    const id = conversation.kind === 'private' ? conversation.userId : Number(body.from);
    return this.core.store.requireUser(Number(id));
  }

  private createUser(body: Json): Json {
    const firstName = typeof body.firstName === 'string' ? body.firstName.trim() : '';
    if (!firstName) throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'A user needs a first name');
    const user = this.core.store.addUser({
      firstName,
      ...(typeof body.username === 'string' && body.username ? { username: body.username.replace(/^@/, '') } : {}),
      ...(typeof body.languageCode === 'string' && body.languageCode ? { languageCode: body.languageCode } : {}),
    });
    return { id: user.id, firstName: user.firstName, username: user.username };
  }

  private createBot(body: Json): Json {
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    if (!username) throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'A bot needs a username');
    const optionalString = (name: string): string | undefined => {
      const value = body[name];
      if (value === undefined || value === null || value === '') return undefined;
      if (typeof value !== 'string') throw new SandboxUsageError('SANDBOX.INVALID_INPUT', `${name} must be a string`);
      return value.trim() || undefined;
    };
    const firstName = optionalString('firstName');
    const token = optionalString('token');
    const bot = this.actions.createBot({ username, ...(firstName ? { firstName } : {}), ...(token ? { token } : {}) });
    return { id: bot.id, username: bot.username, firstName: bot.firstName, token: bot.token };
  }

  private send(body: Json): Json {
    const conversation = this.conversation(body);
    const stored = this.core.users.sendText(conversation, this.actingUser(conversation, body), String(body.text ?? ''));
    return { message: stored.message };
  }

  private async press(body: Json): Promise<Json> {
    const conversation = this.conversation(body);
    const selector = typeof body.data === 'string' ? { data: body.data } : { text: String(body.text ?? '') };
    const press = this.core.users.pressButton(conversation, this.actingUser(conversation, body), Number(body.messageId), selector);
    if (press.kind === 'url') return { kind: 'url', url: press.url };
    if (press.kind === 'pay') return { kind: 'pay', outcome: withoutMessage(await press.outcome) };
    const answer = await this.core.callbacks.waitForAnswer(press.callbackQueryId, CALLBACK_ANSWER_WAIT_MS);
    return { kind: 'callback', callbackQueryId: press.callbackQueryId, answer: answer ?? null };
  }

  private async pay(body: Json): Promise<Json> {
    const conversation = this.conversation(body);
    const invoice = this.core.payments.findInvoiceForMessage(conversation.key, Number(body.messageId));
    if (!invoice) throw new SandboxUsageError('SANDBOX.NOT_AN_INVOICE', `Message ${String(body.messageId)} is not an invoice`);
    const outcome = await this.core.users.payInvoice(conversation, this.actingUser(conversation, body), invoice);
    return withoutMessage(outcome);
  }

  private block(body: Json): Json {
    const conversation = this.conversation(body);
    this.core.users.setBlocked(conversation, this.actingUser(conversation, body), body.blocked === true);
    return { blocked: conversation.blocked };
  }

  private sendFile(response: ServerResponse, params: URLSearchParams): boolean {
    const file = this.core.files.find(Number(params.get('bot')), params.get('file_id') ?? '');
    if (!file) return this.json(response, { error: 'file not found' }, 404);
    response.writeHead(200, { 'content-type': file.document?.mime_type ?? 'image/jpeg' }).end(file.data);
    return true;
  }

  private openStream(response: ServerResponse, conversation: ConversationRecord): boolean {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    const send = (event: ConversationEvent): void => {
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = this.core.store.subscribeToConversation(conversation.key, send);
    // Comments keep proxies and the browser from timing the idle stream out.
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    this.streams.add(response);
    response.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      this.streams.delete(response);
    });
    return true;
  }

  private json(response: ServerResponse, body: unknown, status = 200): boolean {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  }
}

async function readJson(request: IncomingMessage): Promise<Json> {
  const body = await readBody(request);
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Json) : {};
  } catch {
    throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'The request body must be JSON');
  }
}

function withoutMessage(outcome: object): Json {
  const { message: _message, ...rest } = outcome as Json;
  return rest;
}
