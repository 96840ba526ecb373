import type { BotFeatureDeclarationJson, DeclareBotFeaturesRequestJson } from '@botplatform/contracts';
import { IsObject } from 'class-validator';

/** `rpc.gateway.declare-bot-features`: its names are checked by `checkFeatureDeclaration` (BOT.INVALID_DECLARATION). */
export class DeclareBotFeaturesDto implements DeclareBotFeaturesRequestJson {
  @IsObject()
  declaration: BotFeatureDeclarationJson;
}
