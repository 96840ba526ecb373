import { TimerWorker } from '@botplatform/scheduler';
import { ServiceMetrics } from '@botplatform/service-kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SendScheduledMessageTimer } from './send-scheduled-message.timer.js';

/**
 * The service's timer worker (ADR 0013): fires its timers (scheduled messages) from the service's
 * schema, once across replicas. Started when the application has started, stopped (its running handlers
 * finished) before the ORM closes. Another kind of timer is one more handler here.
 */
@Injectable()
export class NotificationsTimerWorker implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: TimerWorker;

  constructor(orm: MikroORM, scheduledMessages: SendScheduledMessageTimer, @Optional() metrics?: ServiceMetrics) {
    this.worker = new TimerWorker({ orm, handlers: [scheduledMessages], ...(metrics ? { observer: metrics } : {}) });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
  }
}
