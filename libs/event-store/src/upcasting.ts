import { UnknownEventVersionError } from './errors.js';

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** For one event type: the version written now, and how to lift each older version one step up. */
export interface EventTypeVersioning {
  readonly currentVersion: number;
  /** `upcasters[n]` turns data of version n into version n + 1. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

/**
 * Versions of a service's stored events. New events are written at the current version; older ones
 * are upcast on read so deciders and projections only ever see the current shape. An event type not
 * listed is at version 1 with nothing to upcast.
 */
export class EventVersioning {
  constructor(private readonly types: Readonly<Record<string, EventTypeVersioning>> = {}) {}

  currentVersion(type: string): number {
    return this.types[type]?.currentVersion ?? 1;
  }

  /** Brings stored data to the current version; throws `UnknownEventVersionError` when it cannot. */
  upcast(type: string, storedVersion: number, data: Record<string, unknown>): Record<string, unknown> {
    const current = this.currentVersion(type);
    if (storedVersion > current || storedVersion < 1) throw new UnknownEventVersionError(type, storedVersion, current);
    let upcasted = data;
    for (let version = storedVersion; version < current; version++) {
      const step = this.types[type]?.upcasters?.[version];
      if (!step) throw new UnknownEventVersionError(type, storedVersion, current);
      upcasted = step(upcasted);
    }
    return upcasted;
  }
}
