import { ScreenedValidationPipe } from '@botplatform/bus';
import type { ValidationError } from '@nestjs/common';
import { AdminValidationError } from './admin-http-error.filter.js';

/**
 * Validates admin API bodies, queries and route parameters (class-validator), after screening them for
 * NUL characters and deep nesting, and answers 400 with the errors of each field.
 */
export function createAdminValidationPipe(): ScreenedValidationPipe {
  return new ScreenedValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => new AdminValidationError(flatten(errors)),
  });
}

function flatten(errors: readonly ValidationError[], prefix = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) fields[path] = Object.values(error.constraints);
    if (error.children?.length) Object.assign(fields, flatten(error.children, path));
  }
  return fields;
}
