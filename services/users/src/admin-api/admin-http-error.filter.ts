import { typedErrorBodyOf, typedErrorCodeOf, type RpcErrorBody } from '@botplatform/bus';
import { Catch, HttpException, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** The body of every admin API error: the same as over request/reply. */
export type AdminErrorBody = RpcErrorBody;

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

interface AdminHttpRequest {
  readonly originalUrl?: string;
  readonly url: string;
}

/** What body-parser attaches to its errors (`type`: `entity.parse.failed`, `entity.too.large`...). */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly limit?: number;
}

/** Invalid input answered by the admin API's ValidationPipe. */
export class AdminValidationError extends HttpException {
  constructor(readonly fields: Readonly<Record<string, readonly string[]>>) {
    super({ code: 'VALIDATION.FAILED', message: `invalid ${Object.keys(fields).join(', ')}`, fields } satisfies AdminErrorBody, 400);
  }
}

/**
 * The HTTP status of a typed error, from its stable code. Codes are grouped by their last word, so
 * the other slices' errors (USERS.MEMBER_NOT_FOUND, USERS.CANNOT_BLOCK_ADMIN...) get a sensible status
 * without a list to keep in step.
 */
export function httpStatusOf(code: string): number {
  if (code === 'USERS.UNAUTHENTICATED') return 401;
  if (/FORBIDDEN|NOT_AN_ADMIN|OPERATOR_ONLY|BOT_TOKEN_ONLY|OWNER_ONLY/.test(code)) return 403;
  if (/NOT_FOUND$|NOT_A_MEMBER$/.test(code)) return 404;
  if (/ALREADY_|INACTIVE$|CONFLICT|WRONG_EXPECTED_VERSION|RETRIES_EXHAUSTED/.test(code)) return 409;
  if (/QUOTA_EXCEEDED$/.test(code)) return 429;
  // A well-formed token Telegram does not know: the request was understood, its content refused.
  if (code === 'USERS.TELEGRAM_TOKEN_REJECTED') return 422;
  // Telegram did not answer getMe: nothing is wrong with the request, it may be sent again later.
  if (code === 'USERS.TELEGRAM_UNREACHABLE') return 503;
  // Key configuration, a token sealed with a removed key: the server's fault, not the request's.
  if (/^USERS\.TOKEN_|^CONFIG\./.test(code)) return 500;
  return 400;
}

/**
 * Answers every admin API failure as JSON `{code, message, fields?, details?}`: typed errors keep their
 * code, and the details their code declares, with a status derived from the code; a body that could
 * not be read gets a `VALIDATION.*` code of its own, Nest's other HTTP errors (unknown route) keep
 * their status as `HTTP.<status>`, anything else is logged and answered 500 without details.
 *
 * Set on each admin controller, and also the users service's global filter: a body is parsed and a
 * route looked up before any controller is chosen, so only a global filter sees those errors. There it
 * answers paths under /admin/ only and leaves the others (health) to Nest's own answer.
 */
@Catch()
export class AdminHttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<AdminHttpRequest>();
    if (!/^\/admin(\/|\?|$)/.test(request.originalUrl ?? request.url)) {
      super.catch(exception, host);
      return;
    }
    const response = host.switchToHttp().getResponse<JsonResponse>();
    const [status, body] = this.toBody(exception);
    response.status(status).json(body);
  }

  private toBody(exception: unknown): [number, AdminErrorBody] {
    if (exception instanceof AdminValidationError) return [400, exception.getResponse() as AdminErrorBody];
    // Only the platform's own codes (`USERS.BOT_NOT_FOUND`); drivers put theirs in `code` too (pg: '42P01').
    const code = typedErrorCodeOf(exception);
    if (code) {
      const { message } = exception as Error;
      const status = httpStatusOf(code);
      if (status === 500) {
        this.logger.error(`admin API: ${code}: ${message}`);
        return [500, { code: 'INTERNAL', message: 'internal error' }];
      }
      return [status, typedErrorBodyOf(exception as Error, code)];
    }
    const unreadable = exception instanceof HttpException ? bodyParserErrorOf(exception.cause) : undefined;
    if (unreadable) return unreadableBody(unreadable);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { code: `HTTP.${status}`, message: exception.message }];
    }
    this.logger.error('admin API: unhandled error', exception instanceof Error ? exception.stack : String(exception));
    return [500, { code: 'INTERNAL', message: 'internal error' }];
  }
}

/** Nest wraps body-parser's errors in an HttpException; the original is its cause. */
function bodyParserErrorOf(cause: unknown): BodyParserError | undefined {
  const error = cause as Partial<BodyParserError> | null | undefined;
  return typeof error?.type === 'string' && typeof error.status === 'number' && error.status < 500 ? (error as BodyParserError) : undefined;
}

/**
 * A body that could not be read, by body-parser's status. Fixed messages: body-parser's own quote the
 * body ("Unexpected token … in JSON").
 */
function unreadableBody(error: BodyParserError): [number, AdminErrorBody] {
  if (error.status === 413) {
    const limit = error.limit !== undefined ? ` (${error.limit} bytes)` : '';
    return [413, { code: 'VALIDATION.BODY_TOO_LARGE', message: `the body is larger than the admin API accepts${limit}` }];
  }
  if (error.status === 415) return [415, { code: 'VALIDATION.UNSUPPORTED_BODY', message: 'the charset or content encoding of the body is not supported' }];
  return [400, { code: 'VALIDATION.MALFORMED_BODY', message: 'the body could not be read as JSON' }];
}
