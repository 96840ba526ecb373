import { Body, Controller, Headers, HttpCode, NotFoundException, Param, Post, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { BotHost } from './bot-host.js';

/** Header Telegram sends the `secret_token` of `setWebhook` in. */
export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * `POST /telegram/:botId`: where Telegram posts every hosted bot's updates in webhook mode. The 200
 * means the update is recorded; it waits for the update to be handled too (bounded by the host), as
 * grammY's own webhook adapters do. A 503 when it could not be recorded makes Telegram send it again.
 */
@Controller('telegram')
export class TelegramWebhookController {
  constructor(private readonly host: BotHost) {}

  @Post(':botId')
  @HttpCode(200)
  async receive(@Param('botId') botId: string, @Headers(SECRET_TOKEN_HEADER) secretToken: string | undefined, @Body() body: unknown): Promise<void> {
    const outcome = await this.host.handleWebhook(botId, secretToken, body);
    if (outcome === 'unauthorized') throw new UnauthorizedException();
    if (outcome === 'unknown-bot') throw new NotFoundException();
    if (outcome === 'unrecorded') throw new ServiceUnavailableException();
  }
}
