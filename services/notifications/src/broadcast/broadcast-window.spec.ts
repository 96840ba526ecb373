import { MIN_WINDOW_RATE, type OutboundPath, windowRateFor } from './broadcast-window.js';

/** A path behind: its typical request waited 2 s beyond its 0.3 s transit, and the window is full. */
const behind: OutboundPath = { measured: 400, requested: 1_000, window: 1_000, roundTrip: 2.3, transit: 0.3, windowSeconds: 0.5 };

describe('windowRateFor', () => {
  it('is the rate until a pace is measured', () => {
    expect(windowRateFor(950, { ...behind, measured: undefined })).toBe(950);
  });

  it('follows a slower measured pace, a quarter above it, while the path is behind', () => {
    expect(windowRateFor(950, behind)).toBe(500);
    expect(windowRateFor(950, { ...behind, requested: 500 })).toBe(500);
  });

  it('never exceeds the rate, and never falls below the floor', () => {
    expect(windowRateFor(950, { ...behind, measured: 900 })).toBe(950);
    expect(windowRateFor(950, { ...behind, measured: 0 })).toBe(MIN_WINDOW_RATE);
  });

  it('is the rate when the requests do not wait beyond the transit and the window: the window, not the path, held the pace back', () => {
    expect(windowRateFor(950, { ...behind, measured: 560, requested: 560, window: 560, roundTrip: 0.75 })).toBe(950);
  });

  it('is the rate once the path settles faster than it is fed (a stall upstream has passed)', () => {
    // After a stall: the pace measured across it is near zero, the round trips long, the window a few messages, and what it held has settled.
    expect(windowRateFor(950, { ...behind, measured: 3, requested: 1, window: 8, roundTrip: 4 })).toBe(950);
    expect(windowRateFor(25, { ...behind, measured: 2, requested: 0, window: 3, roundTrip: 4 })).toBe(25);
  });

  it('is the rate when nothing settled lately to tell a round trip', () => {
    expect(windowRateFor(950, { ...behind, roundTrip: undefined })).toBe(950);
  });
});
