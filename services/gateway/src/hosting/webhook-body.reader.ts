import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Telegram's updates are small; anything bigger is not one. */
const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

type Next = (error?: unknown) => void;
interface ExpressLike {
  use(path: string, handler: (request: IncomingMessage & { body?: unknown }, response: ServerResponse, next: Next) => void): void;
}

/**
 * Reads webhook bodies as raw bytes, ahead of Nest's JSON parser. With the parser first, a malformed
 * body would be answered 400 before the secret is checked, and Telegram redelivers a non-2xx answer
 * for hours; reading it raw lets the host check the secret first and then ignore the body with a 200.
 *
 * Installed from a provider's constructor because that runs inside `NestFactory.create`, before
 * `init()` registers the parsers; middleware registered any later would run after them.
 */
@Injectable()
export class WebhookBodyReader {
  constructor(adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return; // no HTTP server, so no webhooks either
    if (adapter.getType() !== 'express') throw new Error(`the gateway's webhooks need the Express adapter, not ${adapter.getType()}`);
    adapter.getInstance<ExpressLike>().use('/telegram', readRawBody);
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
    // The client went away mid-body: there is nobody to answer.
    if (!response.headersSent) response.destroy();
  });
}
