import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HandleProviderWebhookUseCase } from './handle-provider-webhook.use-case.js';

/**
 * `POST /webhooks/<provider>/<botId>` on the payments service's HTTP port: the URL set as the webhook
 * in the provider's dashboard (Crypto Pay: the app's Webhooks setting). The body arrives raw
 * (webhook-body.reader.ts); the answer is a status only.
 */
@Controller('webhooks')
export class ProviderWebhookController {
  constructor(private readonly useCase: HandleProviderWebhookUseCase) {}

  @Post(':provider/:botId')
  @HttpCode(200)
  async receive(
    @Param('provider') provider: string,
    @Param('botId') botId: string,
    @Req() request: IncomingMessage & { body?: unknown },
    @Res() response: ServerResponse,
  ): Promise<void> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const outcome = await this.useCase.execute({ botId, providerId: provider, webhook: { body, headers: request.headers } });
    response.statusCode = outcome.status;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: outcome.status === 200, result: outcome.result }));
  }
}
