import { BotFeatureRouter } from '@botplatform/bot-kit';
import { Module } from '@nestjs/common';
import { PaymentsFeature } from './bot/payments.feature.js';
import { HandleBotUpdateRpcController } from './bot/handle-bot-update.rpc-controller.js';
import { CreateNoteRpcController } from './note/create-note.rpc-controller.js';
import { CreateNoteUseCase } from './note/create-note.use-case.js';

/** Request handlers, use cases and bot screens of the payments service. */
@Module({
  controllers: [CreateNoteRpcController, HandleBotUpdateRpcController],
  providers: [
    CreateNoteUseCase,
    PaymentsFeature,
    // The service's one router (the definition's `botFeatures`): startService declares it to the gateway.
    { provide: BotFeatureRouter, inject: [PaymentsFeature], useFactory: (feature: PaymentsFeature) => feature.register(new BotFeatureRouter('payments')) },
  ],
})
export class PaymentsModule {}
