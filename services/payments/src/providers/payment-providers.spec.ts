import { describe, expect, it } from '@jest/globals';
import { CryptoPayProvider } from './crypto-pay/crypto-pay.provider.js';
import { signCryptoPayBody } from './crypto-pay/crypto-pay.signature.js';
import { toDecimal, toMinorUnits } from './money.js';
import { WebhookRefusedError, type ProviderOrder } from './payment-provider.js';
import { PaymentProviders } from './payment-providers.js';
import { StarsProvider } from './stars/stars.provider.js';
import { TelegramFiatProvider } from './telegram-fiat/telegram-fiat.provider.js';

const order = (overrides: Partial<ProviderOrder> = {}): ProviderOrder => ({
  paymentId: '8d3c1a52-6a57-4c37-9b1e-6d1c4f1f2b10',
  botId: 'f0e1d2c3-b4a5-4968-8778-695a4b3c2d1e',
  telegramUserId: '42',
  currency: 'XTR',
  amount: '250',
  title: 'Month',
  description: 'Premium for a month',
  ...overrides,
});

describe('Payment providers behind one interface', () => {
  it('finds each provider by id and refuses an unknown one with a typed error', () => {
    const providers = new PaymentProviders();
    expect(['stars', 'telegram-fiat', 'crypto-pay'].map((id) => providers.get(id).id)).toEqual(['stars', 'telegram-fiat', 'crypto-pay']);
    expect(() => providers.get('paypal')).toThrow(expect.objectContaining({ code: 'PAYMENTS.PROVIDER_UNKNOWN' }));
  });

  it('Stars: an XTR invoice with one price and the payment id as payload, a subscription period kept, no provider token', async () => {
    const stars = new StarsProvider();
    expect(await stars.createCheckout(order())).toEqual({
      kind: 'invoice',
      invoice: { title: 'Month', description: 'Premium for a month', payload: order().paymentId, currency: 'XTR', prices: [{ label: 'Month', amount: '250' }] },
    });
    const recurring = await stars.createCheckout(order({ subscriptionPeriod: 2_592_000 }));
    expect(recurring.kind === 'invoice' && recurring.invoice.subscriptionPeriod).toBe(2_592_000);
    expect(stars.accepts('USD', '100')).toEqual({ ok: false, reason: 'Stars are paid in XTR, not USD' });
    expect(stars.accepts('XTR', '0').ok).toBe(false);
    expect(stars.accepts('XTR', '100001').ok).toBe(false);
    expect(stars.mapStatus('successful_payment')).toBe('completed');
    expect(stars.mapStatus('refunded_payment')).toBe('refunded');
    expect(stars.refundable).toBe(true);
  });

  it("Telegram fiat: the bot's provider token, a fiat currency in minor units within Telegram's bounds, never a subscription", async () => {
    const fiat = new TelegramFiatProvider();
    const checkout = await fiat.createCheckout(order({ currency: 'EUR', amount: '499' }), { providerToken: '284685063:TEST:abc' });
    expect(checkout).toEqual({
      kind: 'invoice',
      invoice: expect.objectContaining({
        currency: 'EUR',
        prices: [{ label: 'Month', amount: '499' }],
        providerToken: '284685063:TEST:abc',
        payload: order().paymentId,
      }),
    });
    expect(fiat.accepts('XTR', '250').ok).toBe(false);
    expect(fiat.accepts('USD', '99').ok).toBe(false);
    expect(fiat.accepts('USD', '100').ok).toBe(true);
    expect(fiat.accepts('USD', '1000001').ok).toBe(false);
    expect(fiat.accepts('XYZ', '500').ok).toBe(false);
    await expect(fiat.createCheckout(order({ currency: 'EUR', amount: '499' }), {})).rejects.toThrow('provider token');
    await expect(fiat.createCheckout(order({ currency: 'EUR', amount: '499', subscriptionPeriod: 2_592_000 }), { providerToken: 't' })).rejects.toThrow(
      'Stars',
    );
    expect(fiat.refundable).toBe(false);
  });

  it('converts minor units to decimals and back exactly, refusing more digits than the currency has', () => {
    expect(toDecimal('499', 'USD')).toBe('4.99');
    expect(toDecimal('5', 'EUR')).toBe('0.05');
    expect(toDecimal('100', 'JPY')).toBe('100');
    expect(toDecimal('90071992547409930', 'RUB')).toBe('900719925474099.30');
    expect(toMinorUnits('4.99', 'USD')).toBe('499');
    expect(toMinorUnits('4.9', 'USD')).toBe('490');
    expect(toMinorUnits('4.990', 'USD')).toBe('499');
    expect(toMinorUnits('4.991', 'USD')).toBeUndefined();
    expect(toMinorUnits('-1', 'USD')).toBeUndefined();
    expect(toMinorUnits('1e3', 'USD')).toBeUndefined();
    expect(toMinorUnits('1', 'XYZ')).toBeUndefined();
  });

  describe('Crypto Pay webhooks', () => {
    const token = '12345:AAtesttokenofthecryptopayapp';
    const now = new Date('2026-11-30T12:00:00.000Z');
    const provider = new CryptoPayProvider();
    const update = (requestDate: Date, invoice: Record<string, unknown> = {}) =>
      Buffer.from(
        JSON.stringify({
          update_id: 7,
          update_type: 'invoice_paid',
          request_date: requestDate.toISOString(),
          payload: { invoice_id: 99, currency_type: 'fiat', fiat: 'USD', amount: '4.99', status: 'paid', payload: order().paymentId, ...invoice },
        }),
      );
    const signed = (body: Buffer, key = token) => ({ body, headers: { 'crypto-pay-api-signature': signCryptoPayBody(body, key) } });

    it('parses a signed update into payment terms (our payment id, a charge id that names the provider, minor units)', () => {
      expect(provider.verifyWebhook(signed(update(now)), { apiToken: token }, now)).toEqual({
        updateId: '7',
        paymentId: order().paymentId,
        chargeId: 'crypto-pay:99',
        status: 'completed',
        currency: 'USD',
        amount: '499',
      });
    });

    it('refuses a signature made with another token, a missing or malformed header, and a body changed after signing', () => {
      const body = update(now);
      const refusal = (call: () => unknown) => {
        try {
          call();
        } catch (error) {
          return error instanceof WebhookRefusedError ? error.reason : error;
        }
        return 'accepted';
      };
      expect(refusal(() => provider.verifyWebhook(signed(body, 'another-token'), { apiToken: token }, now))).toBe('signature');
      expect(refusal(() => provider.verifyWebhook({ body, headers: {} }, { apiToken: token }, now))).toBe('signature');
      expect(refusal(() => provider.verifyWebhook({ body, headers: { 'crypto-pay-api-signature': 'zz' } }, { apiToken: token }, now))).toBe('signature');
      const tampered = Buffer.from(body.toString().replace('4.99', '0.01'));
      expect(refusal(() => provider.verifyWebhook({ body: tampered, headers: signed(body).headers }, { apiToken: token }, now))).toBe('signature');
      // Re-serialised JSON is other bytes: the signature is over the raw body.
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
      expect(refusal(() => provider.verifyWebhook({ body: reserialised, headers: signed(body).headers }, { apiToken: token }, now))).toBe('signature');
      expect(refusal(() => provider.verifyWebhook(signed(body), {}, now))).toBe('signature');
    });

    it('refuses an update sent outside the replay window, either way, and takes one inside it', () => {
      const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
      const verdict = (sentAt: Date) => {
        try {
          provider.verifyWebhook(signed(update(sentAt)), { apiToken: token }, now);
          return 'accepted';
        } catch (error) {
          return (error as WebhookRefusedError).reason;
        }
      };
      expect(verdict(minutes(-4))).toBe('accepted');
      expect(verdict(minutes(-6))).toBe('replay');
      expect(verdict(minutes(6))).toBe('replay');
      expect(verdict(minutes(-60 * 24))).toBe('replay');
    });

    it('maps its statuses (paid → completed, expired → cancelled, active → nothing) and an amount the currency cannot hold to none', () => {
      expect(provider.mapStatus('paid')).toBe('completed');
      expect(provider.mapStatus('expired')).toBe('cancelled');
      expect(provider.mapStatus('active')).toBeNull();
      expect(provider.verifyWebhook(signed(update(now, { amount: '4.999' })), { apiToken: token }, now).amount).toBeUndefined();
      expect(provider.refundable).toBe(false);
    });
  });
});
