import { Module, type DynamicModule } from '@nestjs/common';
import { BotHost } from './hosting/bot-host.js';
import { BotHostLifecycle, GATEWAY_DISPOSABLES, HOSTING_OPTIONS, type Disposable, type HostingOptions } from './hosting/bot-host.lifecycle.js';
import { TelegramWebhookController } from './hosting/telegram-webhook.controller.js';
import { DeclareBotFeaturesRpcController } from './routing/declare-bot-features.rpc-controller.js';
import { DeclareBotFeaturesUseCase } from './routing/declare-bot-features.use-case.js';
import { GatewayRoutingTable } from './routing/gateway-routing-table.js';
import { RoutingTableLifecycle } from './routing/routing-table.lifecycle.js';
import { WebhookBodyReader } from './hosting/webhook-body.reader.js';
import { EditStarSubscriptionRpcController } from './payments/edit-star-subscription.rpc-controller.js';
import { EditStarSubscriptionUseCase } from './payments/edit-star-subscription.use-case.js';
import { RefundStarPaymentRpcController } from './payments/refund-star-payment.rpc-controller.js';
import { RefundStarPaymentUseCase } from './payments/refund-star-payment.use-case.js';
import { ImportSessionRpcController } from './sessions/import-session.rpc-controller.js';
import { ImportSessionUseCase } from './sessions/import-session.use-case.js';

/** The gateway's Nest side: Telegram's webhook route, `rpc.gateway.*` (declarations, Stars refunds, imported sessions), and the hosted bots' lifecycle. */
@Module({})
export class GatewayModule {
  /** `disposables` are closed after the bots have stopped (clients the bots used). */
  static forHost(host: BotHost, disposables: readonly Disposable[], routing: GatewayRoutingTable, hosting: HostingOptions = { hostBots: true }): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        TelegramWebhookController,
        DeclareBotFeaturesRpcController,
        RefundStarPaymentRpcController,
        EditStarSubscriptionRpcController,
        ImportSessionRpcController,
      ],
      providers: [
        { provide: BotHost, useValue: host },
        { provide: GATEWAY_DISPOSABLES, useValue: disposables },
        { provide: HOSTING_OPTIONS, useValue: hosting },
        { provide: GatewayRoutingTable, useValue: routing },
        WebhookBodyReader,
        RoutingTableLifecycle,
        BotHostLifecycle,
        DeclareBotFeaturesUseCase,
        RefundStarPaymentUseCase,
        EditStarSubscriptionUseCase,
        ImportSessionUseCase,
      ],
      exports: [BotHost],
    };
  }
}
