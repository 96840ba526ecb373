import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, foldEvents, type Actor } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  paymentCardsDecider,
  paymentCardsStreamId,
  type PaymentCardsCommand,
  type PaymentCardsEvent,
  type PaymentCardsState,
} from './payment-cards.decider.js';

/**
 * Runs card commands on a bot's `payment-cards-<botId>` stream, locked (ADR 0004): transfers that start
 * together take their turns and tracking numbers one after another instead of colliding. The cards are
 * read by folding that stream (a bot has few cards; every assignment is an event on it).
 */
@Injectable()
export class PaymentCardsCommands {
  private readonly commands: CommandHandler<PaymentCardsState, PaymentCardsCommand, PaymentCardsEvent>;

  constructor(private readonly store: PostgresEventStore) {
    this.commands = new CommandHandler(store, paymentCardsDecider, { lockStream: true });
  }

  handle(botId: string, command: PaymentCardsCommand, actor: Actor) {
    return this.commands.handle(paymentCardsStreamId(botId), command, {
      botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor,
      occurredAt: new Date(command.now),
    });
  }

  async state(botId: string): Promise<PaymentCardsState> {
    const stream = await this.store.readStream<PaymentCardsEvent>(paymentCardsStreamId(botId));
    return foldEvents(paymentCardsDecider, stream.events);
  }
}
