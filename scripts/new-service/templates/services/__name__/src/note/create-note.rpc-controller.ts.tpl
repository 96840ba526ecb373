import { RpcController } from '@botplatform/bus';
import type { CreateNoteReplyJson } from '@botplatform/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateNoteDto } from './create-note.dto.js';
import { CreateNoteUseCase } from './create-note.use-case.js';

/** The request/reply pattern that creates a note (CreateNoteRequest → CreateNoteReply). */
export const CREATE_NOTE = 'rpc.__name__.create-note';

/** `rpc.__name__.create-note`: validates the request (the DTO) and calls the use case, nothing else. */
@RpcController()
export class CreateNoteRpcController {
  constructor(private readonly createNote: CreateNoteUseCase) {}

  @MessagePattern(CREATE_NOTE)
  async create(@Payload() request: CreateNoteDto): Promise<CreateNoteReplyJson> {
    const created = await this.createNote.execute({
      noteId: request.noteId,
      botId: request.botId,
      text: request.text,
      // The contract does not say who asks: add a field for it to CreateNoteRequest when it matters.
      actor: { kind: 'service', id: 'rpc-caller' },
    });
    return { noteId: created.noteId, createdAt: created.createdAt.toISOString() };
  }
}
