import type { CreateNoteRequestJson } from '@botplatform/contracts';
import { IsString, IsUUID, Length } from 'class-validator';

/** `rpc.payments.create-note` as it arrives: the contract's JSON form, checked field by field. */
export class CreateNoteDto implements CreateNoteRequestJson {
  @IsUUID()
  noteId: string;

  @IsUUID()
  botId: string;

  @IsString()
  @Length(1, 4096)
  text: string;
}
