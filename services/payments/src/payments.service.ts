import { BotFeatureRouter } from '@botplatform/bot-kit';
import { busMigrations } from '@botplatform/bus';
import { eventStoreMigrations } from '@botplatform/event-store';
import { schedulerMigrations } from '@botplatform/scheduler';
import type { ServiceDefinition } from '@botplatform/service-kit';
import { CardTransfer } from './cards/card-transfer.entity.js';
import { cardTransferPublicEvents } from './cards/card-transfer.public-events.js';
import { CardTransfersMigration20261130230000 } from './cards/migrations/20261130230000-card-transfers.migration.js';
import { PaymentsMigration20261130194000 } from './migrations/20261130194000-payments.migration.js';
import { Payment } from './payment/payment.entity.js';
import { paymentPublicEvents } from './payment/payment.public-events.js';
import { PaymentsModule } from './payments.module.js';
import { ProvidersMigration20261130230000 } from './providers/migrations/20261130230000-providers.migration.js';
import { WalletMigration20261130230000 } from './migrations/20261130230000-wallet.migration.js';
import { PromoCodesMigration20261130233000 } from './migrations/20261130233000-promo-codes.migration.js';
import { WalletEntryRow } from './wallet/wallet-entry.entity.js';
import { ReferralsMigration20261201020000 } from './referral/migrations/20261201020000-referrals.migration.js';
import { onPaymentEvent } from './referral/on-payment-event.consumer.js';
import { onUsersEvent } from './referral/on-users-event.consumer.js';
import { ReferralCommands } from './referral/referral-commands.js';
import { referralPublicEvents } from './referral/referral.public-events.js';

/** The payments service. Publishes `payments.*` events (proto/botplatform/payments/v1). */
export const paymentsService: ServiceDefinition = {
  name: 'payments',
  schema: 'payments',
  migrations: [
    ...eventStoreMigrations,
    // The durable schedule (ADR 0013): the wallet grant checks of grant-retry/.
    ...schedulerMigrations,
    // The consumers' inboxes and positions (referrals follow the users' members and settings, and the payments).
    ...busMigrations,
    { name: 'Migration20261130194000_payments', class: PaymentsMigration20261130194000 },
    { name: 'Migration20261130230000_card_transfers', class: CardTransfersMigration20261130230000 },
    { name: 'Migration20261130230000_providers', class: ProvidersMigration20261130230000 },
    { name: 'Migration20261130230000_wallet', class: WalletMigration20261130230000 },
    { name: 'Migration20261130233000_promo_codes', class: PromoCodesMigration20261130233000 },
    { name: 'Migration20261201020000_referrals', class: ReferralsMigration20261201020000 },
  ],
  entities: [Payment, CardTransfer, WalletEntryRow],
  module: (dependencies) => PaymentsModule.forService(dependencies),
  toPublic: (event) => paymentPublicEvents(event) ?? cardTransferPublicEvents(event) ?? referralPublicEvents(event),
  // Referrals (src/referral/): who joined through whose link (users' registrations), and the rewards of their payments.
  consumers: ({ store, orm }) => {
    const referrals = new ReferralCommands(store, orm);
    return [onUsersEvent(referrals), onPaymentEvent(referrals)];
  },
  // Its bot features (src/bot/: pre-checkout queries, successful and refunded payments; src/cards/: receipts and their review), declared to the gateway at start.
  botFeatures: BotFeatureRouter,
};
