import { TimerWorker } from '@botplatform/scheduler';
import { ServiceMetrics } from '@botplatform/service-kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { WalletGrantRetry } from './wallet-grant-retry.timer.js';

/**
 * The payments service's timer worker (ADR 0013): fires its timers (the wallet grant checks) from the
 * service's schema, once across replicas. Started when the application has started, stopped (its running
 * handlers finished) before the ORM closes.
 */
@Injectable()
export class PaymentsTimerWorker implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: TimerWorker;

  constructor(orm: MikroORM, walletGrants: WalletGrantRetry, @Optional() metrics?: ServiceMetrics) {
    this.worker = new TimerWorker({ orm, handlers: [walletGrants], ...(metrics ? { observer: metrics } : {}) });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker.stop();
  }
}
