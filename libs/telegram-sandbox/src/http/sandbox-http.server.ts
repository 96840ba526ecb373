import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotApiDispatcher } from '../bot-api/bot-api.dispatcher.js';
import { notFound, TelegramApiError, unauthorized } from '../errors/telegram-api.error.js';
import type { FileStore } from '../files/file-store.js';
import type { SandboxStore } from '../state/sandbox-store.js';
import type { WebChatRoutes } from '../web/web-chat.routes.js';
import { readRequestArguments } from './request-body.parser.js';

const BOT_API_PATH = /^\/bot([^/]+)\/([^/]*)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

/**
 * One HTTP server for everything: the Bot API (`/bot<token>/<method>`), file downloads
 * (`/file/bot<token>/<path>`) and the web chat. Binds to 127.0.0.1 only.
 */
export class SandboxHttpServer {
  private server: Server | undefined;

  constructor(
    private readonly dispatcher: BotApiDispatcher,
    private readonly webChat: WebChatRoutes,
    private readonly store: SandboxStore,
    private readonly files: FileStore,
    /** Called after each Bot API call and web chat request: the ways the world changes. */
    private readonly onHandled: () => void = () => undefined,
  ) {}

  async listen(port: number): Promise<number> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          const body = new TelegramApiError(500, `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`);
          response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(body.toResponseBody()));
        } else {
          response.destroy();
        }
      });
    });
    // Long polls may legitimately hold a request for 50 s; Node's defaults would cut them.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets and open streams would otherwise hold close() open.
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const apiMatch = BOT_API_PATH.exec(url.pathname);
    if (apiMatch) {
      await this.handleBotApi(request, response, url, decodeURIComponent(apiMatch[1]), apiMatch[2]).finally(this.onHandled);
      return;
    }
    const fileMatch = FILE_PATH.exec(url.pathname);
    if (fileMatch && request.method === 'GET') return this.handleFile(response, decodeURIComponent(fileMatch[1]), fileMatch[2]);
    if (await this.webChat.handle(request, response, url).finally(this.onHandled)) return;
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  }

  private async handleBotApi(request: IncomingMessage, response: ServerResponse, url: URL, token: string, method: string): Promise<void> {
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    let status: number;
    let body: unknown;
    try {
      const args = await readRequestArguments(request, url);
      ({ status, body } =
        method === '' ? { status: 404, body: notFound().toResponseBody() } : await this.dispatcher.dispatch(token, method, args, controller.signal));
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      ({ status, body } = { status: error.errorCode, body: error.toResponseBody() });
    }
    if (controller.signal.aborted || response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private handleFile(response: ServerResponse, token: string, filePath: string): void {
    const bot = this.store.findBotByToken(token);
    const file = bot ? this.files.findByPath(bot.id, decodeURIComponent(filePath)) : undefined;
    if (!bot) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(unauthorized().toResponseBody()));
      return;
    }
    if (!file) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(notFound().toResponseBody()));
      return;
    }
    response
      .writeHead(200, {
        'content-type': file.document?.mime_type ?? 'image/jpeg',
        'content-length': String(file.data.length),
      })
      .end(file.data);
  }
}
