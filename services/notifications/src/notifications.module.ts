import { Module } from '@nestjs/common';
import { SendMessageRpcController } from './outbound/send-message.rpc-controller.js';
import { SendMessageUseCase } from './outbound/send-message.use-case.js';
import { NotificationPreferences } from './preferences/notification-preferences.js';

/** The notifications service's RPC controllers and the use cases they call. */
@Module({ controllers: [SendMessageRpcController], providers: [SendMessageUseCase, NotificationPreferences], exports: [NotificationPreferences] })
export class NotificationsModule {}
