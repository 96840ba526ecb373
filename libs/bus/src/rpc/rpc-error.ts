import { encodeRpcErrorDetails } from '@botplatform/contracts';

/**
 * What a failed request answers with, on every transport: a stable code callers switch on, a message
 * for logs, for invalid input the errors of each field, and for the codes that declare them typed
 * details (`rpcErrorDetailsSchemas` in @botplatform/contracts).
 */
export interface RpcErrorBody {
  readonly code: string;
  readonly message: string;
  /** Field path → what is wrong with it; only for `VALIDATION.FAILED`. */
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  /** The code's declared details in JSON form; read them with `rpcErrorDetailsOf(error, code)`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Thrown by `RpcClient.call` when the other service answered with an error. */
export class RpcCallError extends Error {
  readonly code: string;
  readonly fields: Readonly<Record<string, readonly string[]>> | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly pattern: string,
    body: RpcErrorBody,
  ) {
    super(`${pattern}: ${body.code}: ${body.message}`);
    this.name = 'RpcCallError';
    this.code = body.code;
    this.fields = body.fields;
    this.details = body.details;
  }
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as RpcErrorBody).code === 'string' && typeof (value as RpcErrorBody).message === 'string';
}

/**
 * A typed error's code: `AREA.REASON` in capitals (`USERS.NOT_AN_ADMIN`, `EVENT_STORE.WRONG_EXPECTED_VERSION`).
 * Drivers' errors carry codes too (PostgreSQL's `42P01`, Node's `ECONNREFUSED`): those are internals.
 */
const TYPED_ERROR_CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)+$/;

/** The stable code of a typed error, which callers may see and switch on; `undefined` for anything else. */
export function typedErrorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && TYPED_ERROR_CODE.test(code) ? code : undefined;
}

/**
 * The error body of a typed error with code `code`: its code and message, and its `details` when its
 * code declares details and they fit the declared message (nothing else an error carries leaves).
 */
export function typedErrorBodyOf(error: Error, code: string): RpcErrorBody {
  const details = encodeRpcErrorDetails(code, (error as { details?: unknown }).details);
  return { code, message: error.message, ...(details ? { details } : {}) };
}
