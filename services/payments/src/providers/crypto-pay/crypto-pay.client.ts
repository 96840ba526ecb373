import type { CreateInvoiceParams, CryptoPayAnswer, CryptoPayInvoice } from './crypto-pay.types.js';

/** The public API; the testnet is https://testnet-pay.crypt.bot/api, a test's fake another URL. */
export const CRYPTO_PAY_MAINNET = 'https://pay.crypt.bot/api';

/** Crypto Pay answered an error, or could not be reached. */
export class CryptoPayApiError extends Error {
  constructor(
    readonly apiError: string,
    message: string,
  ) {
    super(message);
    this.name = 'CryptoPayApiError';
  }
}

/** Calls Crypto Pay's API with an app's token (`Crypto-Pay-API-Token`), with a timeout. */
export class CryptoPayClient {
  constructor(
    private readonly apiUrl: string,
    private readonly apiToken: string,
    private readonly timeoutMs = 5_000,
  ) {}

  createInvoice(params: CreateInvoiceParams): Promise<CryptoPayInvoice> {
    return this.call<CryptoPayInvoice>('createInvoice', params);
  }

  private async call<T>(method: string, params: object): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl.replace(/\/$/, '')}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'crypto-pay-api-token': this.apiToken },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CryptoPayApiError('UNREACHABLE', `Crypto Pay ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const answer = (await response.json().catch(() => null)) as CryptoPayAnswer<T> | null;
    if (!answer) throw new CryptoPayApiError('MALFORMED', `Crypto Pay ${method} answered ${response.status} without JSON`);
    if (!answer.ok) throw new CryptoPayApiError(answer.error.name, `Crypto Pay ${method} refused: ${answer.error.name}`);
    return answer.result;
  }
}
