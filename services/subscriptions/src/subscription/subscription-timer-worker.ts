import { TimerWorker } from '@botplatform/scheduler';
import { ServiceMetrics } from '@botplatform/service-kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RemindOfEndUseCase } from '../reminder/remind-of-end.use-case.js';
import { ExpireSubscriptionUseCase } from './expire-subscription.use-case.js';
import { RenewFromWalletUseCase } from './renew-from-wallet.use-case.js';

/**
 * The service's timer worker (ADR 0013): fires the subscriptions' timers from the service's schema, once
 * across replicas. Started when the application has started, stopped (its running handlers finished)
 * before the ORM closes.
 */
@Injectable()
export class SubscriptionTimerWorker implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: TimerWorker;

  constructor(
    orm: MikroORM,
    expiry: ExpireSubscriptionUseCase,
    reminder: RemindOfEndUseCase,
    renewal: RenewFromWalletUseCase,
    @Optional() metrics?: ServiceMetrics,
  ) {
    this.worker = new TimerWorker({ orm, handlers: [expiry, reminder, renewal], ...(metrics ? { observer: metrics } : {}) });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
  }
}
