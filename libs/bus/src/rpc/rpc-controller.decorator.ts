import { Controller, UseFilters, UseInterceptors, UsePipes, applyDecorators } from '@nestjs/common';
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
