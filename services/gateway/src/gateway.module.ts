import { Module, type DynamicModule } from '@nestjs/common';
import { BotHost } from './hosting/bot-host.js';
import { BotHostLifecycle, GATEWAY_DISPOSABLES, type Disposable } from './hosting/bot-host.lifecycle.js';
import { TelegramWebhookController } from './hosting/telegram-webhook.controller.js';
import { WebhookBodyReader } from './hosting/webhook-body.reader.js';

/** The gateway's Nest side: Telegram's webhook route and the hosted bots' lifecycle. */
@Module({})
export class GatewayModule {
  /** `disposables` are closed after the bots have stopped (clients the bots used). */
  static forHost(host: BotHost, disposables: readonly Disposable[] = []): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [TelegramWebhookController],
      providers: [{ provide: BotHost, useValue: host }, { provide: GATEWAY_DISPOSABLES, useValue: disposables }, WebhookBodyReader, BotHostLifecycle],
      exports: [BotHost],
    };
  }
}
