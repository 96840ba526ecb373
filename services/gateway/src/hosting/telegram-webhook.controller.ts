import { Body, Controller, Headers, HttpCode, NotFoundException, Param, Post, UnauthorizedException } from '@nestjs/common';
import { BotHost } from './bot-host.js';

/** Header Telegram sends the `secret_token` of `setWebhook` in. */
export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * `POST /telegram/:botId`: where Telegram posts every hosted bot's updates in webhook mode. The answer
 * waits for the update to be handled (bounded by the host), as grammY's own webhook adapters do.
 */
@Controller('telegram')
export class TelegramWebhookController {
  constructor(private readonly host: BotHost) {}

  @Post(':botId')
  @HttpCode(200)
  async receive(
    @Param('botId') botId: string,
    @Headers(SECRET_TOKEN_HEADER) secretToken: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    const outcome = await this.host.handleWebhook(botId, secretToken, body);
    if (outcome === 'unauthorized') throw new UnauthorizedException();
    if (outcome === 'unknown-bot') throw new NotFoundException();
  }
}
