/** Crypto Pay API's invoice (https://help.crypt.bot/crypto-pay-api#Invoice), the fields payments reads. */
export interface CryptoPayInvoice {
  readonly invoice_id: number;
  readonly hash?: string;
  readonly currency_type: 'crypto' | 'fiat';
  readonly asset?: string;
  readonly fiat?: string;
  readonly amount: string;
  readonly status: 'active' | 'paid' | 'expired';
  readonly bot_invoice_url: string;
  readonly mini_app_invoice_url?: string;
  readonly web_app_invoice_url?: string;
  readonly description?: string;
  readonly payload?: string;
  readonly created_at: string;
  readonly paid_at?: string;
  readonly paid_asset?: string;
  readonly paid_amount?: string;
}

/** A webhook update: `invoice_paid` is the only type Crypto Pay sends. */
export interface CryptoPayUpdate {
  readonly update_id: number;
  readonly update_type: 'invoice_paid';
  /** ISO time Crypto Pay sent the request: the replay window is measured from it. */
  readonly request_date: string;
  readonly payload: CryptoPayInvoice;
}

/** Every answer of the API: `{ok: true, result}` or `{ok: false, error: {code, name}}`. */
export type CryptoPayAnswer<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: { readonly code: number; readonly name: string } };

/** createInvoice's parameters (the fiat form payments uses). */
export interface CreateInvoiceParams {
  readonly currency_type: 'fiat';
  readonly fiat: string;
  readonly amount: string;
  readonly description?: string;
  readonly payload?: string;
  readonly expires_in?: number;
}
