import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type RegisterUserReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { RegisterUserDto } from './register-user.dto.js';
import { RegisterUserUseCase } from './register-user.use-case.js';

/** `rpc.users.register-user`, the gateway's "see user" for every update. */
@RpcController()
export class RegisterUserRpcController {
  constructor(private readonly useCase: RegisterUserUseCase) {}

  @RpcHandler(RPC.users.registerUser)
  registerUser(@Payload() request: RegisterUserDto): Promise<RegisterUserReplyJson> {
    return this.useCase.execute(request);
  }
}
