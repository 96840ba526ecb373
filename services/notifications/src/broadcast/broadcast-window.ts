/** The window is never sized for fewer messages a second than this (at most the rate), whatever the measured pace. */
export const MIN_WINDOW_RATE = 5;

/** What the sender knows of the outbound path when it sizes a broadcast's window. */
export interface OutboundPath {
  /** Recipients settled per second lately; undefined before a pace is measured. */
  readonly measured: number | undefined;
  /** Requests not yet settled now. */
  readonly requested: number;
  /** The window at the previous look (undefined at the first). */
  readonly window: number | undefined;
  /** Seconds the typical request (the median) of the last few took from its request to its settlement; undefined: none settled lately. */
  readonly roundTrip: number | undefined;
  /** Seconds a request takes when nothing waits (the path's own round trip, `transitSeconds`). */
  readonly transit: number;
  /** Seconds of sending the window holds on top of `transit` (the settings' `windowSeconds`). */
  readonly windowSeconds: number;
}

/**
 * The rate a broadcast's window of unsettled requests is sized for: the broadcast's `rate`, or the pace the
 * outbound path was measured to keep (a quarter above it, so the pace can grow) when that is slower and
 * the path is what holds the requests back (other traffic of the bot, a busy gateway). Sizing by the
 * measured pace keeps what waits in the gateway's queue, which still leaves after a pause or a cancel, at
 * about the window's seconds of real sending.
 *
 * The pace sizes the window only while the path is behind: while the typical request waits longer than
 * the path's own transit and the window's seconds, and at least half of the last window is still
 * unsettled. Otherwise the window is the rate's. Without that, the pace was also followed when the
 * window itself was what held the sending back (a window sized for 700/s measures 700/s, and grows by a
 * quarter a measurement only while the round trips allow it), and after a stall upstream of the gateway
 * (a relay waiting for a long transaction elsewhere on the cluster: nothing settles for seconds): the
 * pace measured across it is near zero, and the window fell to a few messages, 20-odd measurements of a
 * quarter each from 950/s.
 */
export function windowRateFor(rate: number, path: OutboundPath): number {
  const { measured, requested, window, roundTrip, transit, windowSeconds } = path;
  if (measured === undefined) return rate;
  const waiting = roundTrip !== undefined && roundTrip > transit + windowSeconds;
  const holding = window === undefined || requested >= window / 2;
  if (!waiting || !holding) return rate;
  return Math.min(rate, Math.max(MIN_WINDOW_RATE, measured * 1.25));
}
