import { RpcController } from '@botplatform/bus';
import type { BotChangeReplyJson, GetBotCredentialsReplyJson, ListBotsReplyJson, RegisterBotReplyJson } from '@botplatform/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BotRegistry } from './bot-registry.js';
import { ActivateBotDto, DeactivateBotDto, GetBotCredentialsDto, ListBotsDto, RegisterBotDto, RotateBotTokenDto } from './bots.dto.js';

export const REGISTER_BOT = 'rpc.users.register-bot';
export const LIST_BOTS = 'rpc.users.list-bots';
export const ACTIVATE_BOT = 'rpc.users.activate-bot';
export const DEACTIVATE_BOT = 'rpc.users.deactivate-bot';
export const ROTATE_BOT_TOKEN = 'rpc.users.rotate-bot-token';
export const GET_BOT_CREDENTIALS = 'rpc.users.get-bot-credentials';

/** The bot registry over request/reply: the operator's commands, and the gateway's credentials. */
@RpcController()
export class ManageBotsHandler {
  constructor(private readonly registry: BotRegistry) {}

  /** Registers a bot as the operator; the reply's API token is the only time it is shown. */
  @MessagePattern(REGISTER_BOT)
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

  @MessagePattern(LIST_BOTS)
  async listBots(@Payload() request: ListBotsDto): Promise<ListBotsReplyJson> {
    return { bots: await this.registry.list({ activeOnly: request.activeOnly ?? false }) };
  }

  @MessagePattern(ACTIVATE_BOT)
  activateBot(@Payload() request: ActivateBotDto): Promise<BotChangeReplyJson> {
    return this.registry.activate(request.botId, request.requestedBy);
  }

  @MessagePattern(DEACTIVATE_BOT)
  deactivateBot(@Payload() request: DeactivateBotDto): Promise<BotChangeReplyJson> {
    return this.registry.deactivate(request.botId, request.requestedBy, request.reason);
  }

  @MessagePattern(ROTATE_BOT_TOKEN)
  rotateBotToken(@Payload() request: RotateBotTokenDto): Promise<BotChangeReplyJson> {
    return this.registry.rotateToken(request.botId, request.requestedBy, request.token);
  }

  /** Tokens in clear: the one reply that carries them, for the gateway (the only caller of Telegram). */
  @MessagePattern(GET_BOT_CREDENTIALS)
  async getBotCredentials(@Payload() request: GetBotCredentialsDto): Promise<GetBotCredentialsReplyJson> {
    return { bots: await this.registry.credentials(request.botId) };
  }
}
