import { Injectable, Logger } from '@nestjs/common';
import { CompletePaymentUseCase } from '../../payment/complete-payment.use-case.js';
import { PaymentCommands } from '../../payment/payment-commands.js';
import { PaymentAlreadyRefundedError, PaymentNotPendingError } from '../../payment/payment.errors.js';
import { Clock } from '../../shared/clock.js';
import { isProviderId, WebhookRefusedError, type RawWebhook } from '../payment-provider.js';
import { PaymentProviders } from '../payment-providers.js';
import { ProviderSettingsStore } from '../settings/provider-settings.store.js';
import { ParkedWebhooks } from './parked-webhooks.store.js';

/** What the webhook endpoint answers the provider. */
export type WebhookOutcome =
  | { readonly status: 200; readonly result: 'completed' | 'duplicate' | 'ignored' | 'parked' }
  | { readonly status: 401; readonly result: 'refused' }
  | { readonly status: 404; readonly result: 'no-such-provider' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One call of an external provider's webhook, for one bot. Nothing is read from the body before the
 * signature (over the raw bytes, in constant time) and the replay window pass: a refusal is 401 and
 * writes nothing. Then the update names our payment (its payload): an unknown one, another amount, or a
 * payment no longer payable is parked (200: the provider must not retry it for ever); a paid one
 * completes the payment with the provider's charge id and asks subscriptions for the grant under the
 * same key (payment/complete-payment.use-case.ts), so the same update three times completes once and
 * grants once. When subscriptions cannot be asked, the error goes out as a 5xx so the provider retries,
 * and the retry finishes the grant.
 */
@Injectable()
export class HandleProviderWebhookUseCase {
  private readonly logger = new Logger('payments');

  constructor(
    private readonly providers: PaymentProviders,
    private readonly settings: ProviderSettingsStore,
    private readonly parked: ParkedWebhooks,
    private readonly payments: PaymentCommands,
    private readonly complete: CompletePaymentUseCase,
    private readonly clock: Clock,
  ) {}

  async execute(input: { botId: string; providerId: string; webhook: RawWebhook }): Promise<WebhookOutcome> {
    if (!UUID.test(input.botId) || !isProviderId(input.providerId)) return { status: 404, result: 'no-such-provider' };
    const provider = this.providers.get(input.providerId);
    const where = { botId: input.botId, provider: provider.id };
    const settings = await this.settings.open(input.botId, provider.id);
    if (!provider.verifyWebhook || !settings?.enabled) return { status: 404, result: 'no-such-provider' };
    const now = this.clock.now();
    let event: ReturnType<NonNullable<typeof provider.verifyWebhook>>;
    try {
      event = provider.verifyWebhook(input.webhook, settings.secrets, now);
    } catch (error) {
      if (!(error instanceof WebhookRefusedError)) throw error;
      if (error.reason !== 'malformed') {
        this.logger.warn({ msg: 'provider webhook refused', provider: provider.id, botId: input.botId, reason: error.reason });
        return { status: 401, result: 'refused' };
      }
      // Signed by the provider but not an update we can read: kept for an operator, not retried.
      await this.parked.park({
        ...where,
        updateId: `malformed:${now.toISOString()}`,
        paymentId: undefined,
        chargeId: undefined,
        reason: 'malformed',
        body: input.webhook.body,
        now,
      });
      return { status: 200, result: 'parked' };
    }
    if (event.status !== 'completed') return { status: 200, result: 'ignored' };
    const park = async (reason: 'unknown-payment' | 'amount-mismatch' | 'not-payable') => {
      await this.parked.park({
        ...where,
        updateId: event.updateId,
        paymentId: event.paymentId,
        chargeId: event.chargeId,
        reason,
        body: input.webhook.body,
        now,
      });
      this.logger.warn({ msg: 'provider webhook parked', provider: provider.id, botId: input.botId, updateId: event.updateId, reason });
      return { status: 200, result: 'parked' } as const;
    };
    const payment = event.paymentId && UUID.test(event.paymentId) ? await this.payments.state(event.paymentId) : undefined;
    if (!payment || payment.status === 'none' || payment.botId !== input.botId) return park('unknown-payment');
    if (event.amount === undefined || event.currency !== payment.currency || BigInt(event.amount) !== BigInt(payment.amount)) return park('amount-mismatch');
    try {
      const completed = await this.complete.execute({
        botId: payment.botId,
        telegramUserId: payment.telegramUserId,
        paymentId: payment.paymentId,
        chargeId: event.chargeId,
        currency: event.currency,
        totalAmount: event.amount,
        grantId: event.chargeId,
      });
      return { status: 200, result: completed.granted ? 'completed' : 'duplicate' };
    } catch (error) {
      // Refunded since, or cancelled / paid by another charge: nothing to apply, and nothing to retry.
      if (error instanceof PaymentAlreadyRefundedError) return { status: 200, result: 'duplicate' };
      if (error instanceof PaymentNotPendingError || (error instanceof Error && 'code' in error && error.code === 'PAYMENTS.ALREADY_PAID'))
        return park('not-payable');
      throw error;
    }
  }
}
