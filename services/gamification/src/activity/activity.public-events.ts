import type { PublicEventMapper } from '@botplatform/bus';
import { ActivityCompletedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { ActivityEvent } from './activity.decider.js';

/**
 * `gamification.activity.completed`: the activity without its payload (the bot's own JSON stays in the
 * history, `rpc.gamification.get-activity-history`).
 */
export const activityPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<ActivityEvent>;
  if (event.type !== 'ActivityCompleted') return null;
  const { data } = event;
  return {
    schema: ActivityCompletedSchema,
    message: {
      botId: data.botId,
      telegramUserId: BigInt(data.telegramUserId),
      activityId: data.activityId,
      activityType: data.activityType,
      ...(data.score === null ? {} : { score: BigInt(data.score) }),
      metrics: { ...data.metrics },
      occurredAt: timestampFromDate(new Date(data.occurredAt)),
    },
  };
};
