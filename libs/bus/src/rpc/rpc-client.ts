import type { RpcMethod, RpcReplyJson, RpcRequestJson } from '@botplatform/contracts';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { RpcCallError, isRpcErrorBody } from './rpc-error.js';

/**
 * Request/reply to another service, typed by the RPC its contract declares:
 * `await rpc.call(RPC.users.registerUser, request)` takes a `RegisterUserRequestJson` and answers a
 * `RegisterUserReplyJson`. Errors arrive as `RpcCallError` with the other side's code, field errors
 * and typed details.
 */
export class RpcClient {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly timeoutMs = 5_000,
  ) {}

  async call<Method extends RpcMethod>(method: Method, request: RpcRequestJson<Method>): Promise<RpcReplyJson<Method>> {
    const { subject } = method;
    try {
      return await firstValueFrom(this.proxy.send<RpcReplyJson<Method>, RpcRequestJson<Method>>(subject, request).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (isRpcErrorBody(error)) throw new RpcCallError(subject, error);
      throw error;
    }
  }

  close(): Promise<void> | void {
    return this.proxy.close();
  }
}
