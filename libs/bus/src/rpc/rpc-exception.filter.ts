import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { isRpcErrorBody, typedErrorBodyOf, typedErrorCodeOf, type RpcErrorBody } from './rpc-error.js';

/**
 * Turns whatever a request handler threw into an `RpcErrorBody`: typed errors (`typedErrorCodeOf`:
 * domain and event-store errors) keep their code, message and declared details; anything else is logged here and
 * answered as `INTERNAL`, so internals (SQL, hosts, stack traces) never leak to the caller.
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
    const code = typedErrorCodeOf(exception);
    if (code) return typedErrorBodyOf(exception as Error, code);
    const pattern = host.switchToRpc().getContext<{ getSubject?: () => string } | undefined>()?.getSubject?.();
    this.logger.error(`unhandled error in ${pattern ?? 'a request handler'}`, exception instanceof Error ? exception.stack : String(exception));
    return { code: 'INTERNAL', message: 'internal error' };
  }
}
