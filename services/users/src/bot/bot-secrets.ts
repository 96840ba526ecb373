import { InvalidConfigError } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { BotTokenCipher } from './bot-token-cipher.js';

/** Secrets of the bot registry, given in code (tests, embedded launcher) or read from the environment. */
export interface BotSecretsOptions {
  /** `BOT_TOKEN_KEYS` format: `<keyId>:<base64 32 bytes>`, comma-separated, newest first. */
  readonly tokenKeys?: string;
  /** The platform-wide admin API token (`OPERATOR_API_TOKEN`). */
  readonly operatorToken?: string;
}

export interface BotSecrets {
  readonly cipher: BotTokenCipher;
  /** Undefined: the operator endpoints of the admin API answer 401 to everyone. */
  readonly operatorToken: string | undefined;
}

const MIN_OPERATOR_TOKEN_LENGTH = 16;

/**
 * Options first, then `BOT_TOKEN_KEYS` and `OPERATOR_API_TOKEN`. Without keys the insecure development
 * key is used with a loud warning, except when NODE_ENV is production, where it is an error. Without
 * an operator token the operator endpoints are closed (a default token would be a public password).
 * Errors name the variable, never its value: InvalidConfigError, or BotTokenCipherError for bad keys.
 */
export function resolveBotSecrets(options: BotSecretsOptions = {}, env: NodeJS.ProcessEnv = process.env): BotSecrets {
  const logger = new Logger('users');
  const tokenKeys = options.tokenKeys ?? (env.BOT_TOKEN_KEYS || undefined);
  let cipher: BotTokenCipher;
  if (tokenKeys) {
    cipher = BotTokenCipher.fromKeyList(tokenKeys);
  } else {
    if (env.NODE_ENV === 'production') throw new InvalidConfigError({ BOT_TOKEN_KEYS: ['is required in production'] });
    logger.warn('BOT_TOKEN_KEYS is not set: bot tokens are sealed with the PUBLIC development key. Never run like this with real bots.');
    cipher = BotTokenCipher.forDevelopment();
  }
  const operatorToken = options.operatorToken ?? (env.OPERATOR_API_TOKEN || undefined);
  if (operatorToken !== undefined && operatorToken.length < MIN_OPERATOR_TOKEN_LENGTH) {
    throw new InvalidConfigError({ OPERATOR_API_TOKEN: [`must be at least ${MIN_OPERATOR_TOKEN_LENGTH} characters`] });
  }
  if (operatorToken === undefined) logger.warn('OPERATOR_API_TOKEN is not set: the operator endpoints of the admin API are closed.');
  return { cipher, operatorToken };
}
