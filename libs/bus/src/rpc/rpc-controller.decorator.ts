import type { RpcMethod, RpcReplyJson } from '@botplatform/contracts';
import { Controller, UseFilters, UseInterceptors, UsePipes, applyDecorators } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcErrorFilter } from './rpc-exception.filter.js';
import { RpcObservabilityInterceptor } from './rpc-observability.interceptor.js';
import { createRpcValidationPipe } from './rpc-validation.pipe.js';

/**
 * Marks a class of request/reply handlers: DTOs validated with field errors, every thrown error
 * answered as an `RpcErrorBody`, and each request traced, logged with its correlation id and counted.
 * Applied per controller because Nest applies a hybrid app's global pipes to HTTP too, and ignores
 * those registered on a microservice after it was connected.
 */
export function RpcController(): ClassDecorator {
  return applyDecorators(
    Controller(),
    UsePipes(createRpcValidationPipe()),
    UseFilters(new RpcErrorFilter()),
    // By class: Nest builds it in the service's app, where RPC_OBSERVATION names the service.
    UseInterceptors(RpcObservabilityInterceptor),
  );
}

/**
 * Answers one RPC its contract declares: `@RpcHandler(RPC.users.registerUser)` serves
 * `rpc.users.register-user`, and the method must return that RPC's reply (`RegisterUserReplyJson`),
 * so a handler cannot drift from the contract. Its parameter stays the DTO that validates the request.
 */
export function RpcHandler<Method extends RpcMethod>(method: Method) {
  return <Handler extends (request: never) => RpcReplyJson<Method> | Promise<RpcReplyJson<Method>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    MessagePattern(method.subject)(target, key, descriptor);
  };
}
