import { Module } from '@nestjs/common';
import { CreateNoteRpcController } from './note/create-note.rpc-controller.js';
import { CreateNoteUseCase } from './note/create-note.use-case.js';

/** Request handlers and use cases of the subscriptions service. */
@Module({ controllers: [CreateNoteRpcController], providers: [CreateNoteUseCase] })
export class SubscriptionsModule {}
