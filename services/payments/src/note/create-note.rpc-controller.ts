import { RpcController, RpcHandler } from '@botplatform/bus';
import { RPC, type CreateNoteReplyJson } from '@botplatform/contracts';
import { Payload } from '@nestjs/microservices';
import { CreateNoteDto } from './create-note.dto.js';
import { CreateNoteUseCase } from './create-note.use-case.js';

/** `RPC.payments.createNote` (declared in proto/): validates the request (the DTO) and calls the use case, nothing else. */
@RpcController()
export class CreateNoteRpcController {
  constructor(private readonly createNote: CreateNoteUseCase) {}

  @RpcHandler(RPC.payments.createNote)
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
