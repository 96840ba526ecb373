/** The bot is not served by this gateway now (inactive, or its token failed): nothing was refunded. */
export class BotNotHostedError extends Error {
  readonly code = 'GATEWAY.BOT_NOT_HOSTED';
  constructor(readonly botId: string) {
    super(`bot ${botId} is not hosted by the gateway`);
    this.name = 'BotNotHostedError';
  }
}

/** Telegram knows no such Stars charge of this bot and user. */
export class ChargeNotFoundError extends Error {
  readonly code = 'GATEWAY.CHARGE_NOT_FOUND';
  constructor(readonly chargeId: string) {
    super(`Telegram has no charge ${chargeId} of this bot and user`);
    this.name = 'ChargeNotFoundError';
  }
}

/** Telegram refunded this charge already: a charge is refunded once. */
export class ChargeAlreadyRefundedError extends Error {
  readonly code = 'GATEWAY.CHARGE_ALREADY_REFUNDED';
  constructor(readonly chargeId: string) {
    super(`the charge ${chargeId} was refunded already`);
    this.name = 'ChargeAlreadyRefundedError';
  }
}

/** The member cancelled the Stars subscription in Telegram: only they can re-enable it. */
export class SubscriptionCanceledByUserError extends Error {
  readonly code = 'GATEWAY.SUBSCRIPTION_CANCELED_BY_USER';
  constructor(readonly chargeId: string) {
    super(`the member cancelled the subscription of charge ${chargeId} in Telegram; the bot cannot re-enable it`);
    this.name = 'SubscriptionCanceledByUserError';
  }
}
