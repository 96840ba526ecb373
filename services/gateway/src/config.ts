import { IsIn, IsInt, IsString, IsUrl, Max, Min, MinLength, ValidateIf } from 'class-validator';
import type { GatewayMode } from './hosting/bot-host.js';
import type { GatewayRuntimeConfig } from './gateway.service.js';

const isWebhookMode = (config: GatewayConfig) => config.GATEWAY_MODE === 'webhook';

/** The gateway's own environment (beside `ServiceProcessConfig`), validated at start. */
export class GatewayConfig {
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT: string = 'https://api.telegram.org';

  @IsIn(['polling', 'webhook'], { message: 'GATEWAY_MODE must be polling or webhook' })
  GATEWAY_MODE: GatewayMode = 'polling';

  /** Public base URL Telegram posts updates to (`<url>/telegram/<botId>`); webhook mode only. */
  @ValidateIf(isWebhookMode)
  @IsUrl({ protocols: ['https', 'http'], require_tld: false, require_protocol: true }, { message: 'WEBHOOK_PUBLIC_URL must be an http(s) URL in webhook mode' })
  WEBHOOK_PUBLIC_URL: string = '';

  /** Key every bot's webhook secret is derived from; webhook mode only. */
  @ValidateIf(isWebhookMode)
  @IsString()
  @MinLength(32, { message: 'WEBHOOK_SECRET_KEY must have at least 32 characters in webhook mode' })
  WEBHOOK_SECRET_KEY: string = '';

  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  RECONCILE_INTERVAL_MS: number = 60_000;
}

/** The validated environment in the form `gatewayService` takes. */
export function gatewayRuntimeConfig(config: GatewayConfig): GatewayRuntimeConfig {
  return {
    telegramApiRoot: config.TELEGRAM_API_ROOT,
    mode: config.GATEWAY_MODE,
    ...(config.GATEWAY_MODE === 'webhook' ? { webhook: { publicUrl: config.WEBHOOK_PUBLIC_URL, secretKey: config.WEBHOOK_SECRET_KEY } } : {}),
    reconcileIntervalMs: config.RECONCILE_INTERVAL_MS,
  };
}
