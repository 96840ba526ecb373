import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

/**
 * How deeply the containers (objects, arrays) of one request may nest, counting the request itself.
 * class-transformer copies a payload one recursive call per level and overflows the stack at a few
 * thousand levels, before any validator runs; no request of ours needs more than a handful.
 */
export const MAX_INPUT_DEPTH = 64;

/**
 * A ValidationPipe that first screens what arrived for what no DTO rule can catch and no layer below
 * can take: nesting deeper than `MAX_INPUT_DEPTH` (class-transformer would overflow the stack) and the
 * NUL character U+0000 in any string or key (PostgreSQL refuses it in text and jsonb, error 22021).
 * One screen here covers every field of every DTO, free-form JSON values and route parameters
 * included, so a new field cannot forget it. What it refuses is answered like any invalid field,
 * through the pipe's `exceptionFactory`.
 */
export class ScreenedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Custom parameter decorators give values the server made (the admin principal), not input.
    if (metadata.type !== 'custom') {
      // Over RPC the type is Nest's number for a payload, not a name.
      const errors = screenInput(value, metadata.data ?? (typeof metadata.type === 'string' ? metadata.type : 'payload'));
      if (errors.length) throw await this.exceptionFactory(errors);
    }
    return super.transform(value, metadata);
  }
}

/**
 * The problems of one request value as validation errors: the path of each string holding a NUL, and the
 * top-level field that nests too deeply. `rootName` names the value itself when it is the problem (a
 * route parameter, a body that is one deep array). Only what came off the wire is walked (strings,
 * arrays, plain objects), never the framework's own objects such as a transport context.
 */
export function screenInput(value: unknown, rootName: string): ValidationError[] {
  const errors: ValidationError[] = [];
  const refuse = (path: readonly string[], reason: string, message: string) => {
    const property = path.length ? path.join('.') : rootName;
    if (!errors.some((e) => e.property === property))
      errors.push({ property, constraints: { [reason]: message.replace('$property', property) }, children: [] });
  };
  const walk = (node: unknown, path: string[], depth: number): void => {
    if (typeof node === 'string') {
      if (node.includes('\u0000')) refuse(path, 'noNul', '$property must not contain the NUL character (U+0000)');
      return;
    }
    if (!isWireContainer(node)) return;
    if (depth > MAX_INPUT_DEPTH) {
      refuse(path.slice(0, 1), 'maxDepth', `$property is nested deeper than ${MAX_INPUT_DEPTH} levels`);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key.includes('\u0000')) refuse(path, 'noNul', '$property must not have a key with the NUL character (U+0000)');
      else walk(child, [...path, key], depth + 1);
    }
  };
  walk(value, [], 1);
  return errors;
}

function isWireContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  // Express's query parser makes objects without a prototype.
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
