import { ParkEventError, type EventConsumerDefinition } from '@botplatform/bus';
import {
  BotActivatedSchema,
  BotDeactivatedSchema,
  BotRegisteredSchema,
  BotTokenRotatedSchema,
  isEventOf,
  subjectOf,
  type DecodedEvent,
} from '@botplatform/contracts';
import type { BotHost } from './bot-host.js';

const REGISTRY_EVENTS = [BotRegisteredSchema, BotActivatedSchema, BotDeactivatedSchema, BotTokenRotatedSchema] as const;

/**
 * A bot registered, (de)activated or re-tokened: the host converges that bot on the registry at once
 * instead of at the next reconciliation. The effect is in memory and `refresh` reads the registry's
 * current state, so a repeated or out-of-order event changes nothing; a registry that cannot be asked
 * makes the handler throw, and the event is retried.
 */
export function onBotRegistryChanged(host: Pick<BotHost, 'refresh'>): EventConsumerDefinition {
  return {
    name: 'gateway--bot-registry',
    source: 'users',
    subjects: REGISTRY_EVENTS.map((schema) => subjectOf(schema)),
    handle: async (event) => {
      const botId = botIdOf(event);
      if (botId === undefined) throw new ParkEventError(`unexpected ${event.subject}`);
      if (!botId) throw new ParkEventError(`${event.subject} without bot_id`);
      await host.refresh(botId);
    },
  };
}

function botIdOf(event: DecodedEvent): string | undefined {
  if (isEventOf(event, BotRegisteredSchema)) return event.message.botId;
  if (isEventOf(event, BotActivatedSchema)) return event.message.botId;
  if (isEventOf(event, BotDeactivatedSchema)) return event.message.botId;
  if (isEventOf(event, BotTokenRotatedSchema)) return event.message.botId;
  return undefined;
}
