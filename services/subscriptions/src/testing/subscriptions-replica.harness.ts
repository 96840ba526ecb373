import { InProcessBroker, type EventBus, type RpcClient } from '@botplatform/bus';
import type { TimerWorker } from '@botplatform/scheduler';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import { Clock } from '../shared/clock.js';
import { SubscriptionTimerWorker } from '../subscription/subscription-timer-worker.js';
import { subscriptionsService } from '../subscriptions.service.js';

/** The wall clock moved by an offset a test sets: time runs, so the timers' database clock and the service agree. */
export class ShiftedClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  shift(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }
}

/** One instance of the subscriptions service on a database it shares with others (a replica), with its own clock and RPC. */
export interface SubscriptionsReplica {
  readonly service: RunningService;
  readonly clock: ShiftedClock;
  readonly call: RpcClient['call'];
  /** The broker its requests go out on and come in from: a test answers other services' RPCs on it. */
  readonly broker: InProcessBroker;
  /** Its timer worker, for its stats. */
  readonly worker: TimerWorker;
  close(): Promise<void>;
}

/**
 * Starts the service as startService does in production, on `databaseUrl` (migrated by the first
 * replica), publishing through `bus`, its requests on a broker of its own unless given one, its time from `clock` (the wall clock unless shifted).
 */
export async function startSubscriptionsReplica(
  databaseUrl: string,
  bus: EventBus,
  clock = new ShiftedClock(),
  broker = new InProcessBroker(),
): Promise<SubscriptionsReplica> {
  const definition = {
    ...subscriptionsService,
    module: (dependencies: Parameters<typeof subscriptionsService.module>[0]) => {
      const module = subscriptionsService.module(dependencies);
      return { ...module, providers: [...(module.providers ?? []), { provide: Clock, useValue: clock }] };
    },
  };
  const service = await startService(definition, { databaseUrl, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
  const rpc = createRpcClient({ kind: 'in-process', broker });
  return {
    service,
    clock,
    call: (method, request) => rpc.call(method, request),
    broker,
    worker: service.app.get(SubscriptionTimerWorker).worker,
    close: async () => {
      await rpc.close();
      await service.close();
    },
  };
}
