import { ScreenedValidationPipe, typedErrorBodyOf, typedErrorCodeOf, type RpcErrorBody } from '@botplatform/bus';
import { Catch, HttpException, Logger, type ArgumentsHost, type ValidationError } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

/** What body-parser attaches to its errors (`type`: `entity.parse.failed`, `entity.too.large`...). */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
}

/** Invalid input answered by the admin API's validation pipe. */
export class AdminValidationError extends HttpException {
  constructor(readonly fields: Readonly<Record<string, readonly string[]>>) {
    super({ code: 'VALIDATION.FAILED', message: `invalid ${Object.keys(fields).join(', ')}`, fields } satisfies RpcErrorBody, 400);
  }
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

/** Validates bodies, queries and route parameters, after screening them, and answers 400 with each field's errors. */
export function createAdminValidationPipe(): ScreenedValidationPipe {
  return new ScreenedValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => new AdminValidationError(flatten(errors)),
  });
}

/**
 * The HTTP status of a typed error, from its code's reason (what follows the area), as the users
 * service's admin API derives it: whatever the service, `<AREA>.UNAUTHENTICATED` is 401.
 */
export function httpStatusOf(code: string): number {
  const reason = code.slice(code.indexOf('.') + 1);
  if (reason === 'UNAUTHENTICATED') return 401;
  if (reason === 'FORBIDDEN_TENANT') return 403;
  if (reason === 'AUTHENTICATION_UNAVAILABLE') return 503;
  if (/NOT_FOUND$/.test(reason)) return 404;
  // A state the request cannot change any more: already done, archived, sent or cancelled.
  if (/ALREADY_|ARCHIVED$|KIND_CHANGE$|_SENT$|_CANCELLED$|WRONG_EXPECTED_VERSION|RETRIES_EXHAUSTED/.test(reason)) return 409;
  return 400;
}

/**
 * Answers every admin API failure as JSON `{code, message, fields?}` (the body of a request/reply error),
 * with a status derived from the code; unreadable bodies get `VALIDATION.MALFORMED_BODY`, Nest's other
 * HTTP errors keep their status as `HTTP.<status>`, anything else is logged and answered 500.
 * Also the service's global filter (a body is parsed before a controller is chosen); there it answers
 * paths under /admin/ only and leaves the others (health) to Nest.
 */
@Catch()
export class AdminHttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<{ originalUrl?: string; url: string }>();
    if (!/^\/admin(\/|\?|$)/.test(request.originalUrl ?? request.url)) {
      super.catch(exception, host);
      return;
    }
    const [status, body] = this.toBody(exception);
    host.switchToHttp().getResponse<JsonResponse>().status(status).json(body);
  }

  private toBody(exception: unknown): [number, RpcErrorBody] {
    if (exception instanceof AdminValidationError) return [400, exception.getResponse() as RpcErrorBody];
    const code = typedErrorCodeOf(exception);
    if (code) return [httpStatusOf(code), typedErrorBodyOf(exception as Error, code)];
    const cause = exception instanceof HttpException ? (exception.cause as Partial<BodyParserError> | undefined) : undefined;
    if (typeof cause?.type === 'string' && typeof cause.status === 'number' && cause.status < 500) {
      return cause.status === 413
        ? [413, { code: 'VALIDATION.BODY_TOO_LARGE', message: 'the body is larger than the admin API accepts' }]
        : [400, { code: 'VALIDATION.MALFORMED_BODY', message: 'the body could not be read as JSON' }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { code: `HTTP.${status}`, message: exception.message }];
    }
    this.logger.error('admin API: unhandled error', exception instanceof Error ? exception.stack : String(exception));
    return [500, { code: 'INTERNAL', message: 'internal error' }];
  }
}
