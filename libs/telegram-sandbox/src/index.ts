export { TelegramSandbox } from './telegram-sandbox.js';
export type { SandboxPayment, SandboxSubscription } from './telegram-sandbox.js';
export type { TelegramSandboxOptions } from './sandbox-options.js';
export type {
  CreateBotInput,
  CreateGroupInput,
  CreateUserInput,
  GroupBotStatus,
  SandboxBot,
  SandboxGroup,
  SandboxUser,
  TimeStep,
} from './sandbox-entities.js';
export { SandboxChat } from './users/sandbox-chat.js';
export type { ActorOptions, ButtonPressResult, WaitOptions } from './users/sandbox-chat.js';
export type { ButtonSelector } from './users/user-actions.js';
export type { PaymentOutcome, RenewalRecord } from './payments/payment.service.js';
export type { ApiCallRecord, CallbackAnswer, ChatActionRecord } from './state/sandbox-records.js';
export { TELEGRAM_RATE_LIMITS } from './rate-limit/send-rate-limiter.js';
export type { RateLimitRules } from './rate-limit/send-rate-limiter.js';
export type { RateLimitRule } from './rate-limit/token-bucket.js';
export type { WebhookDeliveryOptions } from './updates/webhook-delivery.js';
export { SandboxUsageError, WaitTimeoutError } from './errors/sandbox-usage.error.js';
export type { SandboxUsageErrorCode } from './errors/sandbox-usage.error.js';
export { TelegramApiError } from './errors/telegram-api.error.js';
