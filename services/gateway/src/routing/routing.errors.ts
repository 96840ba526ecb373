import type { RpcErrorDetailsJson } from '@botplatform/contracts';
import type { FeatureClash } from '@botplatform/bot-kit';

/** A declaration names a command, namespace, step or kind that another service (or the gateway) owns. */
export class FeatureClashError extends Error {
  readonly code = 'GATEWAY.FEATURE_CLASH';
  readonly details: RpcErrorDetailsJson<'GATEWAY.FEATURE_CLASH'>;

  constructor(
    readonly service: string,
    clash: FeatureClash,
  ) {
    super(`bot features of ${service}: the ${clash.kind.replaceAll('_', ' ')} "${clash.name}" belongs to ${clash.owner}`);
    this.name = 'FeatureClashError';
    this.details = { kind: clash.kind, name: clash.name, owner: clash.owner };
  }
}
