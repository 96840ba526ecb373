import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Providers' updates are small; anything bigger is not one. */
const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
/** Where the providers' webhooks are served: `POST /webhooks/<provider>/<botId>`. */
export const WEBHOOKS_PATH = '/webhooks';

type Next = (error?: unknown) => void;
interface ExpressLike {
  use(path: string, handler: (request: IncomingMessage & { body?: unknown }, response: ServerResponse, next: Next) => void): void;
}

/**
 * Reads the providers' webhook bodies as raw bytes ahead of Nest's JSON parser, as the gateway does for
 * Telegram (docs/adr/0008-webhook-body-read-raw.md): the signature is over the exact bytes, so they must
 * reach the check unparsed and unchanged. Installed from a provider's constructor, which runs inside
 * `NestFactory.create`, before `init()` registers the parsers.
 */
@Injectable()
export class WebhookBodyReader {
  constructor(adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return;
    if (adapter.getType() !== 'express') throw new Error(`payments' webhooks need the Express adapter, not ${adapter.getType()}`);
    adapter.getInstance<ExpressLike>().use(WEBHOOKS_PATH, readRawBody);
  }
}

function readRawBody(request: IncomingMessage & { body?: unknown }, response: ServerResponse, next: Next): void {
  if (request.method !== 'POST') {
    next();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BODY_BYTES) tooLarge = true;
    else if (!tooLarge) chunks.push(chunk);
  });
  request.on('end', () => {
    if (tooLarge) {
      response.statusCode = 413;
      response.end();
      return;
    }
    request.body = Buffer.concat(chunks);
    next();
  });
  request.on('error', () => {
    if (!response.headersSent) response.destroy();
  });
}
