/**
 * The durable schedule (ADR 0013): timers in the service's own schema, written in the transaction of
 * the event that causes them, fired once across replicas.
 *
 * In a service:
 * - its definition's `migrations`: `[...eventStoreMigrations, ...schedulerMigrations, ...own]`;
 * - scheduling: `timerProjection(...)` in the `CommandHandler`'s projections, or `scheduleTimer(em, …)` /
 *   `cancelTimer(em, …)` through the `em` of any transaction (a consumer's, an append's);
 * - firing: a provider builds `new TimerWorker({ orm, handlers, observer: metrics })` (the service-kit's
 *   `ServiceMetrics` is a `TimerObserver`: `botplatform_timers_total`, `botplatform_timer_lag_seconds`),
 *   calls `start()` when the application has started (`onApplicationBootstrap`) and `await stop()` when
 *   it shuts down (`onModuleDestroy`), before the ORM closes. Handlers write through the `em` they are given.
 */
export { SchedulerMigration20261130190000, schedulerMigrations } from './migrations/20261130190000-scheduled-timers.migration.js';
export {
  cancelTimer,
  scheduleTimer,
  scheduleTimers,
  type OnExistingTimer,
  type ScheduleTimerOptions,
  type TimerSpec,
} from './schedule-timer.js';
export { timerProjection, type TimerChange } from './timer-projection.js';
export {
  TimerWorker,
  type DueTimer,
  type TimerBacklog,
  type TimerContext,
  type TimerHandler,
  type TimerObserver,
  type TimerOutcome,
  type TimerWorkerOptions,
  type TimerWorkerStats,
} from './timer-worker.js';
export { InvalidTimerError, InvalidTimerWorkerError, ParkTimerError, SchedulerError, TimerHandlerTimeoutError } from './scheduler.errors.js';
