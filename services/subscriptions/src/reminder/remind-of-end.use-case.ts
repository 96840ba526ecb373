import type { RecordedEvent } from '@botplatform/event-store';
import { ParkTimerError, type DueTimer, type TimerContext, type TimerHandler } from '@botplatform/scheduler';
import { Injectable } from '@nestjs/common';
import { PlanCatalog } from '../plan/plan-catalog.js';
import { Clock } from '../shared/clock.js';
import { SubscriptionCommands } from '../subscription/subscription-commands.js';
import { REMINDER_TIMER, type ReminderTimerPayload } from '../subscription/subscription-schedule.js';
import type { ReminderDue } from '../subscription/subscription.decider.js';
import { TimerAheadOfClockError } from '../subscription/subscription.errors.js';
import { ReminderDeliveryClient, reminderRequestId } from './reminder-delivery.client.js';
import { reminderDaysOf } from './reminder-days.js';
import { reminderLanguageOf, reminderText } from './reminder-text.js';

/**
 * A reminder timer fired: `RemindOfEnd` in the timer's transaction records `ReminderDue` (published as
 * `subscriptions.subscription.reminder_due.v1`) once per period end and number of days, and the message
 * is asked of notifications before that transaction commits, with a request id derived from the
 * reminder. A failed send rolls the event back and the timer retries; a send whose commit is lost is
 * asked again with the same id, which notifications sends once. A timer fired twice, or one for an end
 * that moved or a period that was revoked, decides nothing and sends nothing.
 */
const DAY_MS = 86_400_000;

@Injectable()
export class RemindOfEndUseCase implements TimerHandler<ReminderTimerPayload> {
  readonly kind = REMINDER_TIMER;

  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly catalog: PlanCatalog,
    private readonly delivery: ReminderDeliveryClient,
    private readonly clock: Clock,
  ) {}

  async handle(timer: DueTimer<ReminderTimerPayload>, { em }: TimerContext): Promise<void> {
    const { botId, telegramUserId, endsAt, daysBefore } = timer.payload ?? {};
    if (typeof botId !== 'string' || !Number.isSafeInteger(telegramUserId) || typeof endsAt !== 'string' || !Number.isSafeInteger(daysBefore)) {
      throw new ParkTimerError(`reminder timer ${timer.key} without its member, end or days`);
    }
    const now = this.clock.now();
    // The service's clock decides, as for the expiry (expire-subscription.use-case.ts).
    if (now.getTime() < timer.dueAt.getTime()) throw new TimerAheadOfClockError(timer.kind, timer.key, timer.dueAt, now);
    // Reminders that came due together (the service was down) give one message: the latest one's.
    const days = await reminderDaysOf(em, botId);
    if (days.some((d) => d < daysBefore && now.getTime() >= Date.parse(endsAt) - d * DAY_MS)) return;
    const { newEvents } = await this.commands.handle(
      { type: 'RemindOfEnd', botId, telegramUserId, endsAt, daysBefore, now: now.toISOString() },
      { kind: 'system', id: `timer:${REMINDER_TIMER}` },
      now,
      { em },
    );
    const due = newEvents.find((event) => event.type === 'ReminderDue') as RecordedEvent<ReminderDue> | undefined;
    if (!due) return;
    const language = reminderLanguageOf(await this.delivery.memberLanguage(botId, telegramUserId));
    const plan = await this.catalog.find(botId, due.data.planId);
    const texts = plan?.definition.texts ?? [];
    const planName = (texts.find((t) => t.language === language) ?? texts.find((t) => t.language === 'en') ?? texts[0])?.name ?? '';
    await this.delivery.send({
      requestId: reminderRequestId(botId, telegramUserId, endsAt, daysBefore),
      botId,
      telegramUserId,
      // What is left when it is sent (a reminder fired late says so), in whole days, at least one.
      text: reminderText(language, {
        planName,
        trial: due.data.trial,
        daysLeft: Math.max(1, Math.round((Date.parse(endsAt) - now.getTime()) / DAY_MS)),
        endsAt,
      }),
    });
  }
}
