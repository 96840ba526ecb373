import type { ImportSessionRequestJson } from '@botplatform/contracts';
import { IsString, IsUUID, Matches } from 'class-validator';

/** `rpc.gateway.import-session` as it arrives; the JSON and its size are checked by the use case. */
export class ImportSessionDto implements ImportSessionRequestJson {
  @IsUUID()
  botId: string;

  @Matches(/^[1-9][0-9]{0,15}$/, { message: 'telegramUserId must be a positive Telegram user id' })
  telegramUserId: string;

  @Matches(/^[a-z][a-z0-9-]{0,47}$/, { message: 'service must be 1-48 lower-case letters, digits or -, a letter first' })
  service: string;

  @IsString()
  sessionJson: string;
}
