import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type GetProfileReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { GetProfileDto } from './profile.dto.js';
import { ProfileQuery, profileJson } from './profile.query.js';

/** `RPC.gamification.getProfile`: a member's XP, level, badges, streak and rank in a bot. */
@RpcController()
export class ProfileRpcController {
  constructor(private readonly profiles: ProfileQuery) {}

  @RpcHandler(RPC.gamification.getProfile)
  async getProfile(@Payload() request: GetProfileDto): Promise<GetProfileReplyJson> {
    return profileJson(await this.profiles.of(request.botId, request.telegramUserId, request.timeZone));
  }
}
