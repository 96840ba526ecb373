import { SecretSealerError } from '@botplatform/service-kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ProviderId, ProviderSecrets } from '../payment-provider.js';
import { ProviderSettingsUnreadableError } from '../providers.errors.js';
import { ProviderSecretsSealer } from './provider-secrets-sealer.js';

/** A bot's settings of one provider as they may be shown: never a key, only the names of the keys held. */
export interface ProviderSettingsView {
  readonly provider: ProviderId;
  readonly enabled: boolean;
  readonly secretNames: readonly string[];
  readonly sealedWith: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

interface SettingsRow {
  provider: ProviderId;
  enabled: boolean;
  secret_names: string[];
  key_id: string;
  iv: string;
  ciphertext: string;
  tag: string;
  updated_at: Date;
  updated_by: string;
}

/** The sealed secrets are bound to their bot and provider: a row's ciphertext copied to another bot does not open. */
const contextOf = (botId: string, provider: ProviderId) => `payments.provider_settings:${botId}:${provider}`;

/**
 * Each bot's settings of each payment provider, in `payments.provider_settings`: the keys sealed as one
 * JSON object with AES-256-GCM (`SecretSealer`, the sealing of bot tokens) under the bot and provider as
 * authenticated data. Read on every use (no cache), so a change applies to the next payment or webhook.
 */
@Injectable()
export class ProviderSettingsStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly secrets: ProviderSecretsSealer,
  ) {}

  /** Sets the settings; `secrets` replace the held ones when given, else the held ones are kept (re-sealed with the current key). */
  async set(input: {
    botId: string;
    provider: ProviderId;
    enabled: boolean;
    secrets: ProviderSecrets | undefined;
    updatedBy: string;
    now: Date;
  }): Promise<ProviderSettingsView> {
    const held = input.secrets === undefined ? ((await this.open(input.botId, input.provider))?.secrets ?? {}) : {};
    const secrets = input.secrets ?? held;
    const sealed = this.secrets.sealer.seal(JSON.stringify(secrets), contextOf(input.botId, input.provider));
    const names = Object.keys(secrets).sort();
    const [row] = await this.orm.em.fork().execute<SettingsRow[]>(
      `INSERT INTO payments.provider_settings (bot_id, provider, enabled, secret_names, key_id, iv, ciphertext, tag, updated_at, updated_by)
       VALUES (?, ?, ?, ?::text[], ?, ?, ?, ?, ?, ?)
       ON CONFLICT (bot_id, provider) DO UPDATE SET enabled = EXCLUDED.enabled, secret_names = EXCLUDED.secret_names, key_id = EXCLUDED.key_id,
         iv = EXCLUDED.iv, ciphertext = EXCLUDED.ciphertext, tag = EXCLUDED.tag, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING provider, enabled, secret_names, key_id, updated_at, updated_by`,
      [
        input.botId,
        input.provider,
        input.enabled,
        `{${names.map((name) => JSON.stringify(name)).join(',')}}`,
        sealed.keyId,
        sealed.iv,
        sealed.ciphertext,
        sealed.tag,
        input.now,
        input.updatedBy,
      ],
    );
    return viewOf(row!);
  }

  /** The bot's providers as set, without their keys. */
  async list(botId: string): Promise<ProviderSettingsView[]> {
    const rows = await this.orm.em
      .fork()
      .execute<SettingsRow[]>(
        'SELECT provider, enabled, secret_names, key_id, updated_at, updated_by FROM payments.provider_settings WHERE bot_id = ? ORDER BY provider',
        [botId],
      );
    return rows.map(viewOf);
  }

  /** The bot's settings of the provider with its keys opened, or null when it has none. Used inside the service only. */
  async open(botId: string, provider: ProviderId): Promise<{ enabled: boolean; secrets: ProviderSecrets } | null> {
    const [row] = await this.orm.em
      .fork()
      .execute<SettingsRow[]>('SELECT enabled, key_id, iv, ciphertext, tag FROM payments.provider_settings WHERE bot_id = ? AND provider = ?', [
        botId,
        provider,
      ]);
    if (!row) return null;
    try {
      const json = this.secrets.sealer.open({ keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag }, contextOf(botId, provider));
      return { enabled: row.enabled, secrets: JSON.parse(json) as ProviderSecrets };
    } catch (error) {
      if (error instanceof SecretSealerError)
        throw new ProviderSettingsUnreadableError(`the ${provider} settings of bot ${botId} cannot be opened: ${error.code}`);
      throw error;
    }
  }
}

function viewOf(row: SettingsRow): ProviderSettingsView {
  return {
    provider: row.provider,
    enabled: row.enabled,
    secretNames: row.secret_names,
    sealedWith: row.key_id,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}
