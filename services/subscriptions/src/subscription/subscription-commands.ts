import { correlationIdOrNew } from '@botplatform/bus';
import type { SubscriptionReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore, foldEvents, type Actor, type CommandResult } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { subscriptionViewJson } from './access.js';
import { subscriptionAccessProjection } from './subscription-access.projection.js';
import { reminderDaysOf } from '../reminder/reminder-days.js';
import { subscriptionTimersProjection } from './subscription-schedule.js';
import { subscriptionDecider, subscriptionStreamId, type SubscriptionCommand, type SubscriptionEvent, type SubscriptionState } from './subscription.decider.js';

/**
 * Runs a command on a member's subscription stream, locked ([ADR 0004](../../../../docs/adr/0004-stream-locks-for-counters.md)):
 * 20 simultaneous trial requests or 50 consumes queue on the lock, each decides on the state the one
 * before it left, so one trial starts and the credits never go below zero. The access read model and
 * the subscription's timers (its expiry and reminders, `subscription-schedule.ts`) are written in the same transaction.
 */
@Injectable()
export class SubscriptionCommands {
  private readonly handler: CommandHandler<SubscriptionState, SubscriptionCommand, SubscriptionEvent>;

  constructor(private readonly store: PostgresEventStore) {
    this.handler = new CommandHandler(store, subscriptionDecider, {
      lockStream: true,
      projections: [subscriptionAccessProjection, subscriptionTimersProjection(reminderDaysOf)],
    });
  }

  /** `options.em`: run inside that transaction (a timer's, so its effect commits with its fired mark). */
  handle(
    command: SubscriptionCommand,
    actor: Actor,
    occurredAt: Date,
    options: { readonly em?: EntityManager } = {},
  ): Promise<CommandResult<SubscriptionState, SubscriptionEvent>> {
    return this.handler.handle(
      subscriptionStreamId(command.botId, command.telegramUserId),
      command,
      { botId: command.botId, correlationId: correlationIdOrNew(randomUUID), causationId: null, actor, occurredAt },
      options,
    );
  }

  /** A member's subscription as its stream has it now, unlocked (`options.em`: read in that transaction). */
  async state(botId: string, telegramUserId: number, options: { readonly em?: EntityManager } = {}): Promise<SubscriptionState> {
    const stream = await this.store.readStream<SubscriptionEvent>(subscriptionStreamId(botId, telegramUserId), options);
    return foldEvents(subscriptionDecider, stream.events);
  }

  /** The reply of a command that changes a subscription: its view after the command. */
  async reply(command: SubscriptionCommand, actor: Actor, occurredAt: Date): Promise<SubscriptionReplyJson> {
    const { state, newEvents } = await this.handle(command, actor, occurredAt);
    return { subscription: subscriptionViewJson(command.botId, command.telegramUserId, state.view), changed: newEvents.length > 0 };
  }
}

/** Who an actor string of a request names: "telegram:<id>" is an admin in the bot, anything else a service. */
export function actorOf(who: string): Actor {
  const telegram = /^telegram:([1-9][0-9]{0,15})$/.exec(who);
  return telegram ? { kind: 'admin', id: telegram[1] } : { kind: 'service', id: who };
}
