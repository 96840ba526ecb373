import { BotFeatureRouter } from '@botplatform/bot-kit';
import { Module } from '@nestjs/common';
import { __Name__Feature } from './bot/__name__.feature.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { CreateNoteRpcController } from './note/create-note.rpc-controller.js';
import { CreateNoteUseCase } from './note/create-note.use-case.js';

/** Request handlers, use cases and bot screens of the __name__ service. */
@Module({
  controllers: [CreateNoteRpcController, HandleBotUpdateRpcController],
  providers: [
    CreateNoteUseCase,
    __Name__Feature,
    // The service's one router (the definition's `botFeatures`): startService declares it to the gateway.
    { provide: BotFeatureRouter, inject: [__Name__Feature], useFactory: (feature: __Name__Feature) => feature.register(new BotFeatureRouter('__name__')) },
  ],
})
export class __Name__Module {}
