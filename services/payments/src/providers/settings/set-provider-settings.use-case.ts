import type { ProviderSettingsViewJson } from '@botplatform/contracts';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../shared/clock.js';
import { PaymentProviders } from '../payment-providers.js';
import { ProviderSecretsMissingError } from '../providers.errors.js';
import type { ProviderSettingsView } from './provider-settings.store.js';
import { ProviderSettingsStore } from './provider-settings.store.js';

const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Sets a bot's settings of one provider, live: the next payment or webhook reads them. Non-empty
 * `secrets` replace the keys held (an empty map keeps them); an enabled provider must end up with every
 * key it needs (PAYMENTS.PROVIDER_SECRETS_MISSING, nothing written). The reply names the keys, never their values.
 */
@Injectable()
export class SetProviderSettingsUseCase {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly store: ProviderSettingsStore,
    private readonly clock: Clock,
  ) {}

  async execute(input: {
    botId: string;
    provider: string;
    enabled: boolean;
    secrets?: Record<string, string>;
    updatedBy: string;
  }): Promise<ProviderSettingsViewJson> {
    const provider = this.providers.get(input.provider);
    const given = input.secrets && Object.keys(input.secrets).length > 0 ? input.secrets : undefined;
    if (given) {
      const bad = Object.entries(given).filter(
        ([name, value]) => !SECRET_NAME.test(name) || typeof value !== 'string' || value.length < 1 || value.length > 4096,
      );
      if (bad.length > 0)
        throw new ProviderSecretsMissingError(
          provider.id,
          bad.map(([name]) => `a valid ${name.slice(0, 64)}`),
        );
    }
    const held = given ?? (await this.store.open(input.botId, provider.id))?.secrets ?? {};
    const missing = provider.requiredSecrets.filter((name) => !held[name]);
    if (input.enabled && missing.length > 0) throw new ProviderSecretsMissingError(provider.id, missing);
    const view = await this.store.set({
      botId: input.botId,
      provider: provider.id,
      enabled: input.enabled,
      secrets: given,
      updatedBy: input.updatedBy,
      now: this.clock.now(),
    });
    return settingsJson(view);
  }
}

export function settingsJson(view: ProviderSettingsView): ProviderSettingsViewJson {
  return {
    provider: view.provider,
    enabled: view.enabled,
    secretNames: [...view.secretNames],
    sealedWith: view.sealedWith,
    updatedAt: view.updatedAt.toISOString(),
    updatedBy: view.updatedBy,
  };
}
