import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, foldEvents, type Actor, type EventContext } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { promoDecider, promoStreamId, type PromoCommand, type PromoEvent, type PromoState } from './promo.decider.js';
import { promoProjection } from './promo.projection.js';

/** Runs promo code commands on their locked streams (ADR 0004: many members race for a code's last uses). */
@Injectable()
export class PromoCommands {
  private readonly commands: CommandHandler<PromoState, PromoCommand, PromoEvent>;

  constructor(private readonly store: PostgresEventStore) {
    this.commands = new CommandHandler(store, promoDecider, { projections: [promoProjection], lockStream: true });
  }

  handle(command: PromoCommand, actor: Actor, options: { em?: EntityManager } = {}) {
    const context: EventContext = {
      botId: command.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor,
      occurredAt: new Date(command.now),
    };
    return this.commands.handle(promoStreamId(command.botId, command.code), command, context, options);
  }

  async state(botId: string, code: string): Promise<PromoState> {
    return foldEvents(promoDecider, (await this.store.readStream<PromoEvent>(promoStreamId(botId, code))).events);
  }
}
