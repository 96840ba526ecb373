import { correlationIdOrNew } from '@botplatform/bus';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, PostgresEventStore, foldEvents, type Actor, type EventContext } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { paymentDecider, paymentStreamId, type PaymentCommand, type PaymentEvent, type PaymentState } from './payment.decider.js';
import { walletGrantTimers } from '../grant-retry/wallet-grant-timers.js';
import { paymentsProjection } from './payments.projection.js';

/** Runs payment commands on their streams (with the read model in the same transaction) and reads a payment's state. */
@Injectable()
export class PaymentCommands {
  private readonly commands: CommandHandler<PaymentState, PaymentCommand, PaymentEvent>;

  constructor(private readonly store: PostgresEventStore) {
    this.commands = new CommandHandler(store, paymentDecider, { projections: [paymentsProjection, walletGrantTimers] });
  }

  async handle(command: PaymentCommand, context: { botId: string; actor: Actor }, options: { em?: EntityManager } = {}) {
    const eventContext: EventContext = {
      botId: context.botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor: context.actor,
      occurredAt: new Date(command.now),
    };
    return this.commands.handle(paymentStreamId(command.paymentId), command, eventContext, options);
  }

  /** The payment as its stream says now (the stream, not the read model: a checkout must see the last word). */
  async state(paymentId: string): Promise<PaymentState> {
    const stream = await this.store.readStream<PaymentEvent>(paymentStreamId(paymentId));
    return foldEvents(paymentDecider, stream.events);
  }
}
