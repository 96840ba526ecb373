import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type BotChangeReplyJson, type GetBotCredentialsReplyJson, type ListBotsReplyJson, type RegisterBotReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { BotRegistry } from './bot-registry.js';
import { ActivateBotDto, DeactivateBotDto, GetBotCredentialsDto, ListBotsDto, RegisterBotDto, RotateBotTokenDto } from './bots.dto.js';

/** The bot registry over request/reply: the operator's commands, and the gateway's credentials. */
@RpcController()
export class ManageBotsRpcController {
  constructor(private readonly registry: BotRegistry) {}

  /** Registers a bot as the operator; the reply's API token is the only time it is shown. */
  @RpcHandler(RPC.users.registerBot)
  registerBot(@Payload() request: RegisterBotDto): Promise<RegisterBotReplyJson> {
    return this.registry.register(
      {
        name: request.name,
        token: request.token,
        ownerTelegramUserId: Number(request.ownerTelegramUserId),
        ...(request.timezone ? { timezone: request.timezone } : {}),
      },
      'operator',
    );
  }

  @RpcHandler(RPC.users.listBots)
  async listBots(@Payload() request: ListBotsDto): Promise<ListBotsReplyJson> {
    return { bots: await this.registry.list({ activeOnly: request.activeOnly ?? false }) };
  }

  @RpcHandler(RPC.users.activateBot)
  activateBot(@Payload() request: ActivateBotDto): Promise<BotChangeReplyJson> {
    return this.registry.activate(request.botId, request.requestedBy);
  }

  @RpcHandler(RPC.users.deactivateBot)
  deactivateBot(@Payload() request: DeactivateBotDto): Promise<BotChangeReplyJson> {
    return this.registry.deactivate(request.botId, request.requestedBy, request.reason);
  }

  @RpcHandler(RPC.users.rotateBotToken)
  rotateBotToken(@Payload() request: RotateBotTokenDto): Promise<BotChangeReplyJson> {
    return this.registry.rotateToken(request.botId, request.requestedBy, request.token);
  }

  /** Tokens in clear: the one reply that carries them, for the gateway (the only caller of Telegram). */
  @RpcHandler(RPC.users.getBotCredentials)
  async getBotCredentials(@Payload() request: GetBotCredentialsDto): Promise<GetBotCredentialsReplyJson> {
    return { bots: await this.registry.credentials(request.botId) };
  }
}
