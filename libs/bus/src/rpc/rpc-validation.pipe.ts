import type { ValidationError } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { RpcErrorBody } from './rpc-error.js';
import { ScreenedValidationPipe } from './screened-validation.pipe.js';

/**
 * Validates request DTOs (class-validator), after screening them for NUL characters and deep nesting,
 * and answers invalid input with the errors of each field. Nest's default would turn them into a bare
 * "Internal server error" on the RPC side.
 */
export function createRpcValidationPipe(): ScreenedValidationPipe {
  return new ScreenedValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const body: RpcErrorBody = {
        code: 'VALIDATION.FAILED',
        message: `invalid ${Object.keys(fields).join(', ')}`,
        fields,
      };
      return new RpcException(body);
    },
  });
}

function flattenValidationErrors(errors: readonly ValidationError[], prefix = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) fields[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}
