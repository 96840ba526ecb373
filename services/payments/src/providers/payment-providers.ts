import { CryptoPayProvider } from './crypto-pay/crypto-pay.provider.js';
import { isProviderId, type PaymentProvider, type ProviderId } from './payment-provider.js';
import { ProviderUnknownError } from './providers.errors.js';
import { StarsProvider } from './stars/stars.provider.js';
import { TelegramFiatProvider } from './telegram-fiat/telegram-fiat.provider.js';

/** Every provider payments has, by id: a Nest provider, so a test can give Crypto Pay a narrower replay window. */
export class PaymentProviders {
  private readonly byId: ReadonlyMap<ProviderId, PaymentProvider>;

  constructor(providers: readonly PaymentProvider[] = [new StarsProvider(), new TelegramFiatProvider(), new CryptoPayProvider()]) {
    this.byId = new Map(providers.map((provider) => [provider.id, provider]));
  }

  /** The provider, or PAYMENTS.PROVIDER_UNKNOWN. */
  get(id: string): PaymentProvider {
    const provider = isProviderId(id) ? this.byId.get(id) : undefined;
    if (!provider) throw new ProviderUnknownError(id);
    return provider;
  }
}
