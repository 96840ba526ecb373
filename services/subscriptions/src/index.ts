export { subscriptionsService } from './subscriptions.service.js';
export { Clock, SystemClock } from './shared/clock.js';
export { reminderRequestId } from './reminder/reminder-delivery.client.js';
export { onBotGroupChanged } from './bot-group/on-bot-group-changed.consumer.js';
export { RenewFromWalletUseCase } from './subscription/renew-from-wallet.use-case.js';
export type { RenewalTimerPayload } from './subscription/subscription-schedule.js';
