import { AdminHttpErrorFilter } from '@botplatform/service-kit';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminNotificationRulesController } from './admin-api/admin-notification-rules.controller.js';
import { AdminScheduledMessagesController } from './admin-api/admin-scheduled-messages.controller.js';
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

/** The notifications service's RPC controllers, its admin API, the use cases they call and its bot screens. */
@Module({
  controllers: [
    SendMessageRpcController,
    RuleSettingsRpcController,
    HandleBotUpdateRpcController,
    ScheduledMessagesRpcController,
    AdminNotificationRulesController,
    AdminScheduledMessagesController,
  ],
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
    // Body-parse errors and unknown /admin routes fail before any admin controller is chosen.
    { provide: APP_FILTER, useClass: AdminHttpErrorFilter },
  ],
})
export class NotificationsModule {}
