import type { DomainEvent, InlineProjection, RecordedEvent } from '@botplatform/event-store';
import { cancelTimer, scheduleTimer, type OnExistingTimer, type TimerSpec } from './schedule-timer.js';

/** What one event does to the schedule. */
export type TimerChange =
  | { readonly schedule: TimerSpec; readonly ifExists?: OnExistingTimer }
  | { readonly cancel: { readonly kind: string; readonly key: string } };

/**
 * An inline projection whose read model is the schedule: `plan` says which timers each of the service's
 * own events schedules or cancels, and the changes are written in the append's transaction (the
 * CommandHandler runs inline projections there), so a timer exists exactly when its event does.
 *
 * ```ts
 * new CommandHandler(store, subscriptionDecider, {
 *   projections: [timerProjection<SubscriptionEvent>('subscription-timers', (event) =>
 *     event.type === 'SubscriptionStarted'
 *       ? { schedule: { kind: 'subscription.expire', key: event.data.subscriptionId, dueAt: new Date(event.data.endsAt) }, ifExists: 'replace' }
 *       : undefined)],
 * });
 * ```
 * Changes are applied in event order, so a cancel after a schedule in one batch leaves no timer.
 */
export function timerProjection<Event extends DomainEvent = DomainEvent>(
  name: string,
  plan: (event: RecordedEvent<Event>) => TimerChange | readonly TimerChange[] | undefined,
  options: { readonly schema?: string } = {},
): InlineProjection {
  return {
    name,
    async apply(events, em) {
      for (const event of events) {
        // The CommandHandler listing this projection appends only its decider's events.
        const planned = plan(event as RecordedEvent<Event>);
        const changes: readonly TimerChange[] = planned === undefined ? [] : Array.isArray(planned) ? planned : [planned as TimerChange];
        for (const change of changes) {
          if ('cancel' in change) await cancelTimer(em, change.cancel.kind, change.cancel.key, options);
          else await scheduleTimer(em, change.schedule, { ifExists: change.ifExists, schema: options.schema });
        }
      }
    },
  };
}
