import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { RpcCallError, isRpcErrorBody } from './rpc-error.js';

/**
 * Request/reply to another service, typed at the call site with the generated contract types:
 * `await rpc.call<RegisterUserRequestJson, RegisterUserReplyJson>('rpc.users.register-user', request)`.
 * Errors arrive as `RpcCallError` with the other side's code and field errors.
 */
export class RpcClient {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs = 5_000,
  ) {}

  async call<Request extends object, Reply>(pattern: `rpc.${string}`, request: Request): Promise<Reply> {
    try {
      return await firstValueFrom(this.proxy.send<Reply, Request>(pattern, request).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (isRpcErrorBody(error)) throw new RpcCallError(pattern, error);
      throw error;
    }
  }

  close(): Promise<void> | void {
    return this.proxy.close();
  }
}
