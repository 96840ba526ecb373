import { notFound, TelegramApiError, unauthorized } from '../errors/telegram-api.error.js';
import type { RequestArguments } from '../http/request-body.parser.js';
import type { SandboxCore } from '../sandbox-core.js';
import type { BotRecord } from '../state/sandbox-records.js';
import type { WebhookReply } from '../updates/webhook-delivery.js';
import { DescribedResult, type MethodGroup, type MethodHandler } from './bot-api-method.js';
import { MethodArguments } from './method-arguments.js';
import { chatsMethods } from './methods/chats.methods.js';
import { commandsMethods } from './methods/commands.methods.js';
import { mediaMethods } from './methods/media.methods.js';
import { messagesMethods } from './methods/messages.methods.js';
import { paymentsMethods } from './methods/payments.methods.js';
import { updatesMethods } from './methods/updates.methods.js';

const METHOD_GROUPS: readonly MethodGroup[] = [updatesMethods, messagesMethods, mediaMethods, chatsMethods, commandsMethods, paymentsMethods];

/** A Bot API answer ready to be written: HTTP status and the `{ ok, ... }` body. */
export interface BotApiResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Routes `/bot<token>/<method>` calls: token check (401), method lookup (404, case-insensitive
 * like the real server), the handler, and Telegram's response envelope.
 */
export class BotApiDispatcher {
  private readonly methods = new Map<string, MethodHandler>();
  private readonly names: string[] = [];

  constructor(private readonly core: SandboxCore) {
    for (const group of METHOD_GROUPS) {
      for (const [name, handler] of Object.entries(group(core))) {
        this.methods.set(name.toLowerCase(), handler);
        this.names.push(name);
      }
    }
    core.webhookReplyHandler = (bot, reply) => void this.executeWebhookReply(bot, reply);
  }

  /** Names of the implemented methods, as documented. */
  methodNames(): string[] {
    return [...this.names];
  }

  async dispatch(token: string, methodName: string, request: RequestArguments, signal: AbortSignal): Promise<BotApiResponse> {
    const bot = this.core.store.findBotByToken(token);
    if (!bot) return errorResponse(unauthorized());
    const args = new MethodArguments(request);
    const handler = this.methods.get(methodName.toLowerCase());
    const response = handler ? await this.run(handler, bot, args, signal) : errorResponse(notFound());
    this.core.store.recordApiCall(bot, {
      method: methodName,
      at: Date.now(),
      params: args.toRecord(),
      ...(response.status !== 200 ? { errorCode: response.status } : {}),
    });
    this.core.options.log?.(`${bot.username} ${methodName} -> ${response.status === 200 ? 'ok' : `${response.status} ${String(response.body.description)}`}`);
    return response;
  }

  private async run(handler: MethodHandler, bot: BotRecord, args: MethodArguments, signal: AbortSignal): Promise<BotApiResponse> {
    try {
      const value = await handler({ bot, args, signal });
      if (value instanceof DescribedResult) {
        return { status: 200, body: { ok: true, result: value.result, description: value.description } };
      }
      return { status: 200, body: { ok: true, result: value } };
    } catch (error) {
      if (error instanceof TelegramApiError) return errorResponse(error);
      const message = error instanceof Error ? error.message : String(error);
      this.core.options.log?.(`internal error: ${error instanceof Error ? error.stack : message}`);
      return errorResponse(new TelegramApiError(500, `Internal Server Error: ${message}`));
    }
  }

  /** A method the bot returned in its webhook response; its result goes nowhere, as with Telegram. */
  private async executeWebhookReply(bot: BotRecord, reply: WebhookReply): Promise<void> {
    const params = new Map<string, string>();
    for (const [name, value] of Object.entries(reply.params)) {
      if (value === null || value === undefined) continue;
      params.set(name, typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    await this.dispatch(bot.token, reply.method, { params, files: new Map() }, new AbortController().signal);
  }
}

function errorResponse(error: TelegramApiError): BotApiResponse {
  return { status: error.errorCode, body: error.toResponseBody() };
}
