export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/** A named probe: resolves (optionally with a state text) when healthy, throws when not. */
export interface HealthCheck {
  readonly name: string;
  probe(): Promise<string | void>;
}
