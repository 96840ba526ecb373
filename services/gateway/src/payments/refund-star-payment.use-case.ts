import { Injectable } from '@nestjs/common';
import { GrammyError } from 'grammy';
import { BotHost } from '../hosting/bot-host.js';
import { BotNotHostedError, ChargeAlreadyRefundedError, ChargeNotFoundError } from './refund-star-payment.errors.js';

/**
 * Refunds a Stars charge through the bot that was paid (`refundStarPayment` with that bot's token): the
 * gateway is the only service that speaks to Telegram. Telegram's two refusals become typed errors;
 * anything else (Telegram away) fails the call and the caller may retry.
 */
@Injectable()
export class RefundStarPaymentUseCase {
  constructor(private readonly host: BotHost) {}

  async execute(input: { botId: string; telegramUserId: string; telegramPaymentChargeId: string }): Promise<void> {
    const api = this.host.apiFor(input.botId);
    if (!api) throw new BotNotHostedError(input.botId);
    try {
      await api.refundStarPayment(Number(input.telegramUserId), input.telegramPaymentChargeId);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400) {
        if (error.description.includes('CHARGE_ALREADY_REFUNDED')) throw new ChargeAlreadyRefundedError(input.telegramPaymentChargeId);
        if (error.description.includes('CHARGE_NOT_FOUND')) throw new ChargeNotFoundError(input.telegramPaymentChargeId);
      }
      throw error;
    }
  }
}
