import { BotFeatureRouter } from '@botplatform/bot-kit';
import type { RpcClient } from '@botplatform/bus';
import { createRpcClient, type ServiceDependencies } from '@botplatform/service-kit';
import { Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { AdminPlansClient } from './admin/admin-plans.client.js';
import { PaymentsAdminFeature } from './admin/payments-admin.feature.js';
import { PaymentsAdminQueries } from './admin/payments-admin.queries.js';
import { AdminChatClient } from './cards/admin-chat.client.js';
import { CardTransferCommands } from './cards/card-transfer-commands.js';
import { CardTransferFeature } from './cards/card-transfer.feature.js';
import { CardTransfersRpcController } from './cards/card-transfers.rpc-controller.js';
import { ReviewCardTransferUseCase } from './cards/review-card-transfer.use-case.js';
import { StartCardTransferUseCase } from './cards/start-card-transfer.use-case.js';
import { SubmitReceiptUseCase } from './cards/submit-receipt.use-case.js';
import { ManagePaymentCardsUseCase } from './cards/manage-payment-cards.use-case.js';
import { PaymentCardsCommands } from './cards/payment-cards-commands.js';
import { PaymentCardsRpcController } from './cards/payment-cards.rpc-controller.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { StarsCheckoutFeature } from './bot/stars-checkout.feature.js';
import { paymentsTranslate } from './i18n/payments-texts.js';
import { CheckOutUseCase } from './payment/check-out.use-case.js';
import { CompletePaymentUseCase } from './payment/complete-payment.use-case.js';
import { CreatePaymentUseCase } from './payment/create-payment.use-case.js';
import { NoteStarSubscriptionUseCase } from './payment/note-star-subscription.use-case.js';
import { PaymentCommands } from './payment/payment-commands.js';
import { PaymentsRpcController } from './payment/payments.rpc-controller.js';
import { RefundPaymentUseCase } from './payment/refund-payment.use-case.js';
import { SwitchStarRenewalUseCase } from './payment/switch-star-renewal.use-case.js';
import { CreateProviderPaymentUseCase } from './providers/create-provider-payment.use-case.js';
import { PaymentProviders } from './providers/payment-providers.js';
import { ProviderSecretsSealer, providerSecretsSealerFromEnv } from './providers/settings/provider-secrets-sealer.js';
import { ProviderSettingsRpcController } from './providers/settings/provider-settings.rpc-controller.js';
import { ProviderSettingsStore } from './providers/settings/provider-settings.store.js';
import { SetProviderSettingsUseCase } from './providers/settings/set-provider-settings.use-case.js';
import { HandleProviderWebhookUseCase } from './providers/webhooks/handle-provider-webhook.use-case.js';
import { ParkedWebhooks } from './providers/webhooks/parked-webhooks.store.js';
import { ProviderWebhookController } from './providers/webhooks/provider-webhook.controller.js';
import { WebhookBodyReader } from './providers/webhooks/webhook-body.reader.js';
import { ManagePromoCodesUseCase } from './promo/manage-promo-codes.use-case.js';
import { MemberDiscounts } from './promo/member-discounts.js';
import { PromoCommands } from './promo/promo-commands.js';
import { PromoFeature } from './promo/promo.feature.js';
import { PromoRpcController } from './promo/promo.rpc-controller.js';
import { RedeemPromoCodeUseCase } from './promo/redeem-promo-code.use-case.js';
import { ReferralStatsReader } from './referral/referral-stats.js';
import { ReferralFeature } from './referral/referral.feature.js';
import { Clock, SystemClock } from './shared/clock.js';
import { PayFromWalletUseCase } from './wallet/pay-from-wallet.use-case.js';
import { RenewFromWalletUseCase } from './wallet/renew-from-wallet.use-case.js';
import { RenewFromWalletRpcController } from './wallet/renew-from-wallet.rpc-controller.js';
import { GetWalletBalanceUseCase, RecordWalletEntryUseCase } from './wallet/record-wallet-entry.use-case.js';
import { WalletCommands } from './wallet/wallet-commands.js';
import { WalletFeature } from './wallet/wallet.feature.js';
import { WalletRpcController } from './wallet/wallet.rpc-controller.js';
import { PayFromWalletRpcController } from './wallet/pay-from-wallet.rpc-controller.js';
import { GatewayClient } from './shared/gateway.client.js';
import { PaymentsTimerWorker } from './grant-retry/payments-timer-worker.js';
import { WalletGrantRetry } from './grant-retry/wallet-grant-retry.timer.js';
import { SubscriptionsClient } from './shared/subscriptions.client.js';

/** The RPC client payments calls subscriptions and the gateway with, closed with the module. */
class PaymentsRpc implements OnModuleDestroy {
  constructor(readonly client: RpcClient) {}

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}

/** Request handlers, use cases and bot features of the payments service. */
@Module({
  controllers: [
    PaymentsRpcController,
    WalletRpcController,
    PayFromWalletRpcController,
    RenewFromWalletRpcController,
    PromoRpcController,
    HandleBotUpdateRpcController,
    PaymentCardsRpcController,
    CardTransfersRpcController,
    ProviderSettingsRpcController,
    ProviderWebhookController,
  ],
  providers: [
    { provide: Clock, useClass: SystemClock },
    PaymentCommands,
    CreatePaymentUseCase,
    CheckOutUseCase,
    CompletePaymentUseCase,
    RefundPaymentUseCase,
    NoteStarSubscriptionUseCase,
    SwitchStarRenewalUseCase,
    StarsCheckoutFeature,
    PaymentCardsCommands,
    ManagePaymentCardsUseCase,
    CardTransferCommands,
    StartCardTransferUseCase,
    SubmitReceiptUseCase,
    ReviewCardTransferUseCase,
    CardTransferFeature,
    { provide: AdminChatClient, inject: [PaymentsRpc], useFactory: (rpc: PaymentsRpc) => new AdminChatClient(rpc.client) },
    // Payment providers (src/providers/): settings sealed per bot, the webhooks' raw bodies, Crypto Pay, fiat.
    WebhookBodyReader,
    { provide: PaymentProviders, useFactory: () => new PaymentProviders() },
    { provide: ProviderSecretsSealer, useFactory: () => providerSecretsSealerFromEnv() },
    ProviderSettingsStore,
    ParkedWebhooks,
    SetProviderSettingsUseCase,
    CreateProviderPaymentUseCase,
    HandleProviderWebhookUseCase,
    WalletCommands,
    RecordWalletEntryUseCase,
    GetWalletBalanceUseCase,
    PayFromWalletUseCase,
    RenewFromWalletUseCase,
    WalletFeature,
    PromoCommands,
    MemberDiscounts,
    ManagePromoCodesUseCase,
    RedeemPromoCodeUseCase,
    PromoFeature,
    ReferralStatsReader,
    ReferralFeature,
    { provide: SubscriptionsClient, inject: [PaymentsRpc], useFactory: (rpc: PaymentsRpc) => new SubscriptionsClient(rpc.client) },
    { provide: GatewayClient, inject: [PaymentsRpc], useFactory: (rpc: PaymentsRpc) => new GatewayClient(rpc.client) },
    // /payadmin (src/admin/): a member's payments and refunds, receipts to review, promo codes and batches.
    PaymentsAdminQueries,
    { provide: AdminPlansClient, inject: [PaymentsRpc], useFactory: (rpc: PaymentsRpc) => new AdminPlansClient(rpc.client) },
    PaymentsAdminFeature,
    // The durable schedule (src/grant-retry/): a wallet payment's grant checked again until subscriptions has it.
    WalletGrantRetry,
    PaymentsTimerWorker,
    // The service's one router (the definition's `botFeatures`): startService declares it to the gateway.
    {
      provide: BotFeatureRouter,
      inject: [StarsCheckoutFeature, WalletFeature, PromoFeature, CardTransferFeature, ReferralFeature, PaymentsAdminFeature],
      useFactory: (
        stars: StarsCheckoutFeature,
        wallet: WalletFeature,
        promo: PromoFeature,
        cards: CardTransferFeature,
        referral: ReferralFeature,
        admin: PaymentsAdminFeature,
      ) =>
        admin.register(
          referral.register(
            cards.register(promo.register(wallet.register(stars.register(new BotFeatureRouter('payments', { translate: paymentsTranslate }))))),
          ),
        ),
    },
  ],
})
export class PaymentsModule {
  /** The module with what it needs from the running service: an RPC client to subscriptions and the gateway. */
  static forService(dependencies: ServiceDependencies): DynamicModule {
    return {
      module: PaymentsModule,
      providers: [{ provide: PaymentsRpc, useFactory: () => new PaymentsRpc(createRpcClient(dependencies.rpc)) }],
    };
  }
}
