import { Injectable } from '@nestjs/common';
import { GrammyError } from 'grammy';
import { BotHost } from '../hosting/bot-host.js';
import { BotNotHostedError, ChargeNotFoundError, SubscriptionCanceledByUserError } from './refund-star-payment.errors.js';

/**
 * Cancels or re-enables a member's Stars subscription through the bot that was paid
 * (`editUserStarSubscription` with that bot's token). Telegram's refusals become typed errors; anything
 * else (Telegram away) fails the call and the caller may retry (the edit is idempotent in Telegram).
 */
@Injectable()
export class EditStarSubscriptionUseCase {
  constructor(private readonly host: BotHost) {}

  async execute(input: { botId: string; telegramUserId: string; telegramPaymentChargeId: string; isCanceled: boolean }): Promise<void> {
    const api = this.host.apiFor(input.botId);
    if (!api) throw new BotNotHostedError(input.botId);
    try {
      await api.editUserStarSubscription(Number(input.telegramUserId), input.telegramPaymentChargeId, input.isCanceled);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400) {
        if (error.description.includes('SUBSCRIPTION_CANCELED_BY_USER')) throw new SubscriptionCanceledByUserError(input.telegramPaymentChargeId);
        if (error.description.includes('CHARGE_NOT_FOUND')) throw new ChargeNotFoundError(input.telegramPaymentChargeId);
      }
      throw error;
    }
  }
}
