export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/** A named probe: resolves (optionally with a state text) when healthy, throws when not. */
export interface HealthCheck {
  readonly name: string;
  probe(): Promise<string | void>;
}

/** A probe that did not answer in time: what it checks is taken as down. */
export class HealthProbeTimeoutError extends Error {
  readonly code = 'HEALTH.PROBE_TIMEOUT';
  constructor(
    readonly check: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'HealthProbeTimeoutError';
  }
}
