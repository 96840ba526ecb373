import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { isRpcErrorBody, type RpcErrorBody } from './rpc-error.js';

/**
 * A typed error's code: `AREA.REASON` in capitals (`USERS.NOT_AN_ADMIN`, `EVENT_STORE.WRONG_EXPECTED_VERSION`).
 * Drivers' errors carry codes too (PostgreSQL's `42P01`, Node's `ECONNREFUSED`): those are internals.
 */
const TYPED_ERROR_CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)+$/;

/**
 * Turns whatever a request handler threw into an `RpcErrorBody`: typed errors (a `code` of the form
 * above, such as domain and event-store errors) keep their code and message; anything else is logged
 * here and answered as `INTERNAL`, so internals (SQL, hosts, stack traces) never leak to the caller.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('Rpc');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toBody(exception, host));
  }

  private toBody(exception: unknown, host: ArgumentsHost): RpcErrorBody {
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isRpcErrorBody(error)) return error;
      return { code: 'RPC.ERROR', message: typeof error === 'string' ? error : 'request failed' };
    }
    const code = (exception as { code?: unknown } | null)?.code;
    if (exception instanceof Error && typeof code === 'string' && TYPED_ERROR_CODE.test(code)) {
      return { code: (exception as Error & { code: string }).code, message: exception.message };
    }
    const pattern = host.switchToRpc().getContext<{ getSubject?: () => string } | undefined>()?.getSubject?.();
    this.logger.error(`unhandled error in ${pattern ?? 'a request handler'}`, exception instanceof Error ? exception.stack : String(exception));
    return { code: 'INTERNAL', message: 'internal error' };
  }
}
