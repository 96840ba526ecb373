import { Controller, UseFilters, UsePipes, applyDecorators } from '@nestjs/common';
import { RpcErrorFilter } from './rpc-exception.filter.js';
import { createRpcValidationPipe } from './rpc-validation.pipe.js';

/**
 * Marks a class of request/reply handlers: DTOs validated with field errors, and every thrown error
 * answered as an `RpcErrorBody`. Applied per controller because Nest applies a hybrid app's global
 * pipes to HTTP too, and ignores those registered on a microservice after it was connected.
 */
export function RpcController(): ClassDecorator {
  return applyDecorators(Controller(), UsePipes(createRpcValidationPipe()), UseFilters(new RpcErrorFilter()));
}
