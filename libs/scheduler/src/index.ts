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
