import { Module } from '@nestjs/common';
import { CreateNoteRpcController } from './note/create-note.rpc-controller.js';
import { CreateNoteUseCase } from './note/create-note.use-case.js';

/** Request handlers and use cases of the __name__ service. */
@Module({ controllers: [CreateNoteRpcController], providers: [CreateNoteUseCase] })
export class __Name__Module {}
