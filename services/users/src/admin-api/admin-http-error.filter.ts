import { typedErrorCodeOf, type RpcErrorBody } from '@botplatform/bus';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

/** The body of every admin API error: the same as over request/reply. */
export type AdminErrorBody = RpcErrorBody;

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
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
  // Key configuration, a token sealed with a removed key: the server's fault, not the request's.
  if (/^USERS\.TOKEN_|^CONFIG\./.test(code)) return 500;
  return 400;
}

/**
 * Answers every admin API failure as JSON `{code, message, fields?}`: typed errors keep their code
 * with a status derived from it, Nest's own HTTP errors (unknown route, bad JSON) keep their status,
 * anything else is logged and answered 500 without details.
 */
@Catch()
export class AdminHttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(exception: unknown, host: ArgumentsHost): void {
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
      return [status, { code, message }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { code: `HTTP.${status}`, message: exception.message }];
    }
    this.logger.error('admin API: unhandled error', exception instanceof Error ? exception.stack : String(exception));
    return [500, { code: 'INTERNAL', message: 'internal error' }];
  }
}
