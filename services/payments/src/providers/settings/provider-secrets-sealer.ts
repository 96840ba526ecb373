import { InvalidConfigError, SecretSealer } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';

/**
 * A fixed, public key for development and tests only: anyone can read what it seals. Used without
 * `PAYMENT_PROVIDER_KEYS`, with a warning, except under NODE_ENV=production.
 */
export const INSECURE_DEVELOPMENT_PROVIDER_KEYS = 'insecure-dev:ZGV2LW9ubHktaW5zZWN1cmUtcGF5bWVudC1rZXlzISE=';

/** The sealer of providers' keys: a Nest token, so the service can be given its keys in code. */
export abstract class ProviderSecretsSealer {
  abstract readonly sealer: SecretSealer;
}

/**
 * `PAYMENT_PROVIDER_KEYS` (`<keyId>:<base64 32 bytes>`, comma-separated, newest first: the format of
 * `BOT_TOKEN_KEYS`), else the development key with a loud warning; in production a missing list is an error.
 */
export function providerSecretsSealerFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderSecretsSealer {
  const keys = env.PAYMENT_PROVIDER_KEYS || undefined;
  if (keys) return { sealer: SecretSealer.fromKeyList(keys, 'PAYMENT_PROVIDER_KEYS') };
  if (env.NODE_ENV === 'production') throw new InvalidConfigError({ PAYMENT_PROVIDER_KEYS: ['is required in production'] });
  new Logger('payments').warn("PAYMENT_PROVIDER_KEYS is not set: payment providers' keys are sealed with the PUBLIC development key.");
  return { sealer: SecretSealer.fromKeyList(INSECURE_DEVELOPMENT_PROVIDER_KEYS, 'PAYMENT_PROVIDER_KEYS') };
}
