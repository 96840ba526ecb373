import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type AuthenticateApiTokenReplyJson, type AuthenticateApiTokenRequestJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { IsString, Length } from 'class-validator';
import { BotRegistry } from '../bot/bot-registry.js';
import { UnauthenticatedError } from './admin-api.errors.js';

/** `rpc.users.authenticate-api-token`. */
export class AuthenticateApiTokenDto implements AuthenticateApiTokenRequestJson {
  @IsString()
  @Length(1, 256)
  token: string;
}

/**
 * `RPC.users.authenticateApiToken`: the admin APIs of other services (subscriptions' plans) scope their
 * routes by the same bot API tokens as this service's, checked here where their hashes are kept.
 */
@RpcController()
export class AuthenticateApiTokenRpcController {
  constructor(private readonly registry: BotRegistry) {}

  @RpcHandler(RPC.users.authenticateApiToken)
  async authenticate(@Payload() request: AuthenticateApiTokenDto): Promise<AuthenticateApiTokenReplyJson> {
    const bot = await this.registry.authenticateApiToken(request.token);
    if (!bot) throw new UnauthenticatedError();
    return { botId: bot.botId, tokenId: bot.tokenId };
  }
}
