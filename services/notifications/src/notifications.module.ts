import { Module } from '@nestjs/common';
import { SendMessageHandler } from './outbound/send-message.handler.js';

/** Request handlers of the notifications service. */
@Module({ controllers: [SendMessageHandler] })
export class NotificationsModule {}
