import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRYPTO_PAY_SIGNATURE_HEADER, signCryptoPayBody } from '../crypto-pay.signature.js';
import type { CryptoPayInvoice, CryptoPayUpdate } from '../crypto-pay.types.js';

interface FakeApp {
  readonly token: string;
  readonly webhookUrl: string | undefined;
}

/**
 * A local stand-in of Crypto Pay's API, built from its documentation (https://help.crypt.bot/crypto-pay-api):
 * `POST /api/<method>` with the app's token in `Crypto-Pay-API-Token`, answers `{ok, result}` or
 * `{ok: false, error: {code, name}}`; `getMe` and `createInvoice` (fiat or crypto, amount as a decimal
 * string, payload up to 4 KB, `expires_in` 1–2678400). `pay()` plays the member paying on Crypto Pay's
 * page: the invoice turns `paid` and an `invoice_paid` update is POSTed to the app's webhook, signed as
 * the documentation says (hex HMAC-SHA256 of the body keyed by SHA-256 of the token). `deliver()` sends
 * an update again (Crypto Pay retries) or as a forger or replayer would.
 */
export class FakeCryptoPay {
  private server: Server | undefined;
  private readonly apps = new Map<string, FakeApp>();
  private readonly invoices = new Map<number, CryptoPayInvoice & { appToken: string }>();
  private nextInvoiceId = 1000;
  private nextUpdateId = 1;
  /** Every API call as it arrived (method and parameters). */
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** An app (what /pay in @CryptoBot creates): its token, and the webhook URL set in its settings. */
  createApp(token: string, webhookUrl?: string): void {
    this.apps.set(token, { token, webhookUrl });
  }

  invoice(invoiceId: number): CryptoPayInvoice | undefined {
    return this.invoices.get(invoiceId);
  }

  /** The invoice created with this payload (our payment id). */
  invoiceWithPayload(payload: string): CryptoPayInvoice | undefined {
    return [...this.invoices.values()].find((invoice) => invoice.payload === payload);
  }

  /**
   * The member pays the invoice: it becomes `paid`, and the update is POSTed to the app's webhook (unless
   * `deliver` is false: the test delivers it, e.g. several times at once). Returns the update, its body and the webhook's HTTP status.
   */
  async pay(
    invoiceId: number,
    options: { now?: Date; deliver?: boolean } = {},
  ): Promise<{ update: CryptoPayUpdate; body: Buffer; status: number | undefined }> {
    const now = options.now ?? new Date();
    const invoice = this.invoices.get(invoiceId);
    if (!invoice) throw new Error(`no invoice ${invoiceId}`);
    if (invoice.status !== 'active') throw new Error(`invoice ${invoiceId} is ${invoice.status}`);
    const { appToken, ...rest } = invoice;
    const paid: CryptoPayInvoice & { appToken: string } = {
      ...rest,
      appToken,
      status: 'paid',
      paid_at: now.toISOString(),
      paid_asset: 'USDT',
      paid_amount: rest.amount,
    };
    this.invoices.set(invoiceId, paid);
    const { appToken: _token, ...payload } = paid;
    const update: CryptoPayUpdate = { update_id: this.nextUpdateId++, update_type: 'invoice_paid', request_date: now.toISOString(), payload };
    const body = Buffer.from(JSON.stringify(update));
    return { update, body, status: options.deliver === false ? undefined : await this.deliver(appToken, body) };
  }

  /** POSTs a body to the app's webhook, signed with `signWith` (the app's own token unless a forger's is given, or a raw signature). */
  async deliver(appToken: string, body: Buffer, options: { signWith?: string; signature?: string } = {}): Promise<number> {
    const app = this.apps.get(appToken);
    if (!app?.webhookUrl) throw new Error('the app has no webhook');
    const signature = options.signature ?? signCryptoPayBody(body, options.signWith ?? appToken);
    const response = await fetch(app.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CRYPTO_PAY_SIGNATURE_HEADER]: signature },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** An update of the documented shape for an invoice this fake never issued (e.g. another shop's). */
  foreignUpdate(overrides: Partial<CryptoPayInvoice> = {}, now = new Date()): Buffer {
    const update: CryptoPayUpdate = {
      update_id: this.nextUpdateId++,
      update_type: 'invoice_paid',
      request_date: now.toISOString(),
      payload: {
        invoice_id: this.nextInvoiceId++,
        currency_type: 'fiat',
        fiat: 'USD',
        amount: '1.00',
        status: 'paid',
        bot_invoice_url: 'https://t.me/CryptoBot?start=IVforeign',
        created_at: now.toISOString(),
        paid_at: now.toISOString(),
        ...overrides,
      },
    };
    return Buffer.from(JSON.stringify(update));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const error = (code: number, name: string) => answer(code, { ok: false, error: { code, name } });
    const match = /^\/api\/([A-Za-z]+)(?:\?.*)?$/.exec(request.url ?? '');
    if (!match) return error(404, 'METHOD_NOT_FOUND');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let params: Record<string, unknown> = {};
    try {
      const raw = Buffer.concat(chunks).toString('utf8');
      params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return error(400, 'BAD_REQUEST');
    }
    const method = match[1]!;
    this.calls.push({ method, params });
    const token = request.headers['crypto-pay-api-token'];
    const app = typeof token === 'string' ? this.apps.get(token) : undefined;
    if (!app) return error(401, 'UNAUTHORIZED');
    switch (method) {
      case 'getMe':
        return answer(200, { ok: true, result: { app_id: 1, name: 'fake', payment_processing_bot_username: 'CryptoTestnetBot' } });
      case 'createInvoice': {
        const currencyType = params.currency_type ?? 'crypto';
        const amount = params.amount;
        if (typeof amount !== 'string' || !/^\d+(\.\d+)?$/.test(amount) || Number(amount) <= 0) return error(400, 'AMOUNT_INVALID');
        if (currencyType === 'fiat' && typeof params.fiat !== 'string') return error(400, 'FIAT_REQUIRED');
        if (currencyType === 'crypto' && typeof params.asset !== 'string') return error(400, 'ASSET_REQUIRED');
        if (typeof params.payload === 'string' && Buffer.byteLength(params.payload) > 4096) return error(400, 'PAYLOAD_TOO_LONG');
        const expiresIn = params.expires_in;
        if (expiresIn !== undefined && (typeof expiresIn !== 'number' || expiresIn < 1 || expiresIn > 2_678_400)) return error(400, 'EXPIRES_IN_INVALID');
        const invoiceId = this.nextInvoiceId++;
        const hash = `IV${invoiceId}`;
        const invoice: CryptoPayInvoice & { appToken: string } = {
          appToken: app.token,
          invoice_id: invoiceId,
          hash,
          currency_type: currencyType as 'fiat' | 'crypto',
          ...(currencyType === 'fiat' ? { fiat: params.fiat as string } : { asset: params.asset as string }),
          amount,
          status: 'active',
          bot_invoice_url: `https://t.me/CryptoTestnetBot?start=${hash}`,
          mini_app_invoice_url: `https://t.me/CryptoTestnetBot/app?startapp=invoice-${hash}`,
          web_app_invoice_url: `https://testnet-app.send.tg/invoices/${hash}`,
          ...(typeof params.description === 'string' ? { description: params.description } : {}),
          ...(typeof params.payload === 'string' ? { payload: params.payload } : {}),
          created_at: new Date().toISOString(),
        };
        this.invoices.set(invoiceId, invoice);
        const { appToken: _token, ...result } = invoice;
        return answer(200, { ok: true, result });
      }
      default:
        return error(405, 'METHOD_NOT_FOUND');
    }
  }
}
