import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { isRpcErrorBody, type RpcErrorBody } from './rpc-error.js';

/**
 * Turns whatever a request handler threw into an `RpcErrorBody`: typed errors (anything with a
 * string `code`, such as domain and event-store errors) keep their code and message; anything else
 * is logged here and answered as `INTERNAL`, so internals never leak to the caller.
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
    if (exception instanceof Error && typeof (exception as { code?: unknown }).code === 'string') {
      return { code: (exception as Error & { code: string }).code, message: exception.message };
    }
    const pattern = host.switchToRpc().getContext<{ getSubject?: () => string } | undefined>()?.getSubject?.();
    this.logger.error(`unhandled error in ${pattern ?? 'a request handler'}`, exception instanceof Error ? exception.stack : String(exception));
    return { code: 'INTERNAL', message: 'internal error' };
  }
}
