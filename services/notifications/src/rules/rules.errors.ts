import type { RpcErrorDetailsJson } from '@botplatform/contracts';

/** A template that does not parse, or uses a variable, message, term or function its rule does not offer. */
export class InvalidTemplateError extends Error {
  readonly code = 'NOTIFICATIONS.INVALID_TEMPLATE';
  readonly details: RpcErrorDetailsJson<'NOTIFICATIONS.INVALID_TEMPLATE'>;

  constructor(problems: readonly string[], offeredVariables: readonly string[]) {
    super(`invalid template: ${problems.join('; ')}`);
    this.name = 'InvalidTemplateError';
    this.details = { fields: [{ field: 'source', problems: [...problems] }], offeredVariables: [...offeredVariables] };
  }
}
