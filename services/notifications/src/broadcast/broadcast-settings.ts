/** How the service sends broadcasts; `DEFAULT_BROADCAST_SETTINGS` unless the service is created with others. */
export interface BroadcastSettings {
  /**
   * Messages per second of a broadcast without paid broadcasts: Telegram's bulk limit is about 30 per
   * bot, and the bot's other messages (answers, reminders) share it through the gateway's per-bot
   * throttle, so a broadcast leaves them some room.
   */
  readonly ratePerSecond: number;
  /** The ceiling of a free broadcast (Telegram's 30 per second per bot). */
  readonly maxRatePerSecond: number;
  /** With the bot's opt-in to paid broadcasts (`allow_paid_broadcast`). */
  readonly paidRatePerSecond: number;
  readonly paidMaxRatePerSecond: number;
  /**
   * Messages requested and not yet settled by the gateway, in seconds of the rate, on top of what the
   * outbound path's measured round trip holds: what is already in the gateway's queue still leaves after a
   * pause or a cancel, so this bounds how long that takes.
   */
  readonly windowSeconds: number;
  /** How often the sender looks at its broadcasts. */
  readonly tickMs: number;
  /**
   * Honour the bots' `paid_broadcasts` opt-in: their broadcasts go out with `allow_paid_broadcast` at the
   * paid rate (the gateway's paid lane), each message charged 0.1 Star to the bot's balance. Off: every
   * broadcast is a free one.
   */
  readonly paidBroadcasts: boolean;
  /**
   * How often the admin's progress message is edited while a broadcast is sending (only when it changed):
   * a few seconds keeps well within Telegram's limits on edits of one chat.
   */
  readonly progressEveryMs: number;
}

export const DEFAULT_BROADCAST_SETTINGS: BroadcastSettings = {
  ratePerSecond: 25,
  maxRatePerSecond: 30,
  paidRatePerSecond: 900,
  paidMaxRatePerSecond: 1000,
  windowSeconds: 0.5,
  tickMs: 50,
  paidBroadcasts: true,
  progressEveryMs: 4_000,
};

/** The Nest token of the service's `BroadcastSettings`. */
export const BROADCAST_SETTINGS = Symbol('BROADCAST_SETTINGS');

/** Telegram's price of a paid broadcast message: 0.1 Star, kept in tenths of a Star (exact). */
export const PAID_BROADCAST_TENTHS_OF_STAR_PER_MESSAGE = 1;
