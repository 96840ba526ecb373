import { InvalidConfigError, loadConfig } from '@botplatform/service-kit';
import { GatewayConfig, gatewayRuntimeConfig } from './config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(GatewayConfig, env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return Object.keys(error.variables).sort();
    throw error;
  }
  return [];
};

describe('GatewayConfig', () => {
  it('defaults to long polling against Telegram, reconciling every minute', () => {
    const config = loadConfig(GatewayConfig, {});
    expect(gatewayRuntimeConfig(config)).toEqual({ telegramApiRoot: 'https://api.telegram.org', mode: 'polling', reconcileIntervalMs: 60_000 });
  });

  it('reads webhook mode with its public URL, key and a numeric interval', () => {
    const config = loadConfig(GatewayConfig, {
      TELEGRAM_API_ROOT: 'http://sandbox:8081',
      GATEWAY_MODE: 'webhook',
      WEBHOOK_PUBLIC_URL: 'https://bots.example.com',
      WEBHOOK_SECRET_KEY: 'k'.repeat(32),
      RECONCILE_INTERVAL_MS: '5000',
    });
    expect(gatewayRuntimeConfig(config)).toEqual({
      telegramApiRoot: 'http://sandbox:8081',
      mode: 'webhook',
      webhook: { publicUrl: 'https://bots.example.com', secretKey: 'k'.repeat(32) },
      reconcileIntervalMs: 5_000,
    });
  });

  it('requires the public URL and a key of 32 characters or more in webhook mode only', () => {
    expect(problemsOf({ GATEWAY_MODE: 'webhook' })).toEqual(['WEBHOOK_PUBLIC_URL', 'WEBHOOK_SECRET_KEY']);
    expect(problemsOf({ GATEWAY_MODE: 'webhook', WEBHOOK_PUBLIC_URL: 'https://x.example', WEBHOOK_SECRET_KEY: 'short' })).toEqual(['WEBHOOK_SECRET_KEY']);
    expect(problemsOf({ GATEWAY_MODE: 'polling', WEBHOOK_SECRET_KEY: 'short' })).toEqual([]);
  });

  it('names every bad variable', () => {
    expect(problemsOf({ GATEWAY_MODE: 'push', TELEGRAM_API_ROOT: 'api.telegram.org', RECONCILE_INTERVAL_MS: 'soon' })).toEqual([
      'GATEWAY_MODE',
      'RECONCILE_INTERVAL_MS',
      'TELEGRAM_API_ROOT',
    ]);
  });
});
