import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CryptoPayProvider } from './crypto-pay.provider.js';
import { FakeCryptoPay } from './testing/fake-crypto-pay.harness.js';

/** Crypto Pay's createInvoice through the provider, against the fake built from its documentation (a local HTTP server). */
describe('Crypto Pay createInvoice', () => {
  const fake = new FakeCryptoPay();
  const token = '777:AAcryptopayapptokenforthistest';
  const provider = new CryptoPayProvider();
  const order = {
    paymentId: '0b7f1a52-6a57-4c37-9b1e-6d1c4f1f2b10',
    botId: 'f0e1d2c3-b4a5-4968-8778-695a4b3c2d1e',
    telegramUserId: '42',
    currency: 'USD',
    amount: '499',
    title: 'Month',
    description: 'Premium',
  };

  beforeAll(async () => {
    await fake.start();
    fake.createApp(token);
  });
  afterAll(() => fake.stop());

  it('creates a fiat invoice with the amount as a decimal and our payment id as payload, and returns its pay URL', async () => {
    const checkout = await provider.createCheckout(order, { apiToken: token, apiUrl: fake.url });
    expect(checkout.kind).toBe('redirect');
    if (checkout.kind !== 'redirect') return;
    expect(checkout.url).toMatch(/^https:\/\/t\.me\/CryptoTestnetBot\?start=IV\d+$/);
    expect(fake.calls.at(-1)).toEqual({
      method: 'createInvoice',
      params: expect.objectContaining({ currency_type: 'fiat', fiat: 'USD', amount: '4.99', payload: order.paymentId }),
    });
    expect(fake.invoice(Number(checkout.providerPaymentId))?.status).toBe('active');
  });

  it('says why when Crypto Pay refuses (a wrong token), and refuses a currency it does not price in before calling', async () => {
    await expect(provider.createCheckout(order, { apiToken: 'wrong', apiUrl: fake.url })).rejects.toThrow('UNAUTHORIZED');
    const calls = fake.calls.length;
    await expect(provider.createCheckout({ ...order, currency: 'XTR' }, { apiToken: token, apiUrl: fake.url })).rejects.toThrow('XTR');
    expect(fake.calls.length).toBe(calls);
  });
});
