import { fromJson, toJson, type DescMessage, type JsonObject, type MessageJsonType, type MessageShape } from '@bufbuild/protobuf';
import { FeatureClashDetailsSchema } from './gen/botplatform/bot/v1/bot_features_pb.js';
import { InvalidTemplateDetailsSchema } from './gen/botplatform/notifications/v1/rules_pb.js';
import { QuotaExceededDetailsSchema } from './gen/botplatform/users/v1/members_pb.js';

/**
 * The error codes whose error body carries typed `details`, each with the proto message of its
 * details: the one list of them. A caller reads an instant or a figure from here, never from the
 * error's message, which is for people and logs and may change.
 */
export const rpcErrorDetailsSchemas = {
  'USERS.QUOTA_EXCEEDED': QuotaExceededDetailsSchema,
  'GATEWAY.FEATURE_CLASH': FeatureClashDetailsSchema,
  'NOTIFICATIONS.INVALID_TEMPLATE': InvalidTemplateDetailsSchema,
} as const satisfies Record<string, DescMessage>;

/** An error code that declares typed details. */
export type RpcErrorCodeWithDetails = keyof typeof rpcErrorDetailsSchemas;
/** The details of `Code` in their JSON form, as they cross the wire. */
export type RpcErrorDetailsJson<Code extends RpcErrorCodeWithDetails> = MessageJsonType<(typeof rpcErrorDetailsSchemas)[Code]>;
/** The details of `Code` as a message (instants as Timestamps, 64-bit integers as bigints). */
export type RpcErrorDetails<Code extends RpcErrorCodeWithDetails> = MessageShape<(typeof rpcErrorDetailsSchemas)[Code]>;

function schemaOf(code: string): DescMessage | undefined {
  return Object.hasOwn(rpcErrorDetailsSchemas, code) ? rpcErrorDetailsSchemas[code as RpcErrorCodeWithDetails] : undefined;
}

/**
 * The details of an error with `code` as they go on the wire: checked against the code's declared
 * schema and written in its canonical JSON form. `undefined` when the code declares no details or
 * `details` does not fit them (the error then travels without, as for an older server).
 */
export function encodeRpcErrorDetails(code: string, details: unknown): JsonObject | undefined {
  const schema = schemaOf(code);
  if (!schema || typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  try {
    return toJson(schema, fromJson(schema, details as JsonObject)) as JsonObject;
  } catch {
    return undefined;
  }
}

/**
 * The typed details of a failed request when it failed with `code`:
 * `rpcErrorDetailsOf(error, 'USERS.QUOTA_EXCEEDED')?.resetsAt`. `undefined` for another code, or
 * when the details are absent or do not parse (an older server).
 */
export function rpcErrorDetailsOf<Code extends RpcErrorCodeWithDetails>(
  error: { readonly code?: unknown; readonly details?: unknown } | null | undefined,
  code: Code,
): RpcErrorDetails<Code> | undefined {
  if (error?.code !== code || typeof error.details !== 'object' || error.details === null || Array.isArray(error.details)) return undefined;
  try {
    // Unknown fields are a newer server's additions: read what this build knows.
    return fromJson(rpcErrorDetailsSchemas[code], error.details as JsonObject, { ignoreUnknownFields: true }) as RpcErrorDetails<Code>;
  } catch {
    return undefined;
  }
}
