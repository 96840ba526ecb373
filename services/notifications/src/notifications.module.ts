import { Module } from '@nestjs/common';

/** Request handlers of the notifications service (none yet: it only reacts to events). */
@Module({})
export class NotificationsModule {}
