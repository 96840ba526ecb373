import { Module } from '@nestjs/common';
import { botFeaturesProviders } from './bot-features/bot-features.providers.js';
import { HandleBotUpdateRpcController } from './bot-features/handle-bot-update.rpc-controller.js';
import { broadcastProviders } from './broadcast/broadcast.providers.js';
import { SendMessageRpcController } from './outbound/send-message.rpc-controller.js';
import { SendMessageUseCase } from './outbound/send-message.use-case.js';
import { NotificationPreferences } from './preferences/notification-preferences.js';
import { RuleSettingsRpcController } from './rules/rule-settings.rpc-controller.js';
import { RuleSettingsUseCase } from './rules/rule-settings.use-case.js';
import { NotificationsTimerWorker } from './scheduled/notifications-timer-worker.js';
import { ScheduledMessageCommands } from './scheduled/scheduled-message-commands.js';
import { ScheduledMessagesRpcController } from './scheduled/scheduled-messages.rpc-controller.js';
import { ScheduledMessagesUseCase } from './scheduled/scheduled-messages.use-case.js';
import { SendScheduledMessageTimer } from './scheduled/send-scheduled-message.timer.js';

/** The notifications service's RPC controllers, the use cases they call and its bot screen. */
@Module({
  controllers: [SendMessageRpcController, RuleSettingsRpcController, HandleBotUpdateRpcController, ScheduledMessagesRpcController],
  providers: [
    SendMessageUseCase,
    RuleSettingsUseCase,
    NotificationPreferences,
    ...botFeaturesProviders,
    ScheduledMessageCommands,
    ScheduledMessagesUseCase,
    SendScheduledMessageTimer,
    NotificationsTimerWorker,
    ...broadcastProviders,
  ],
})
export class NotificationsModule {}
