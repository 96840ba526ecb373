import { BotFeatureRouter } from '@botplatform/bot-kit';
import { Module } from '@nestjs/common';
import { GamificationFeature } from './bot/gamification.feature.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { CreateNoteRpcController } from './note/create-note.rpc-controller.js';
import { CreateNoteUseCase } from './note/create-note.use-case.js';

/** Request handlers, use cases and bot screens of the gamification service. */
@Module({
  controllers: [CreateNoteRpcController, HandleBotUpdateRpcController],
  providers: [
    CreateNoteUseCase,
    GamificationFeature,
    // The service's one router (the definition's `botFeatures`): startService declares it to the gateway.
    { provide: BotFeatureRouter, inject: [GamificationFeature], useFactory: (feature: GamificationFeature) => feature.register(new BotFeatureRouter('gamification')) },
  ],
})
export class GamificationModule {}
