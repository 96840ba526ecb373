import { correlationIdOrNew } from '@botplatform/bus';
import { CommandHandler, PostgresEventStore, foldEvents, type Actor } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  cardTransferDecider,
  cardTransferStreamId,
  type CardTransferCommand,
  type CardTransferEvent,
  type CardTransferState,
  type CardTransferStatus,
} from './card-transfer.decider.js';
import { CardTransfer } from './card-transfer.entity.js';
import { cardTransfersProjection } from './card-transfers.projection.js';

/**
 * Runs transfer commands on `card-transfer-<paymentId>`, locked: two admins pressing Approve at once are
 * decided one after the other, so the second sees the first's approval and decides nothing.
 */
@Injectable()
export class CardTransferCommands {
  private readonly commands: CommandHandler<CardTransferState, CardTransferCommand, CardTransferEvent>;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly orm: MikroORM,
  ) {
    this.commands = new CommandHandler(store, cardTransferDecider, { lockStream: true, projections: [cardTransfersProjection] });
  }

  handle(botId: string, command: CardTransferCommand, actor: Actor) {
    return this.commands.handle(cardTransferStreamId(command.paymentId), command, {
      botId,
      correlationId: correlationIdOrNew(randomUUID),
      causationId: null,
      actor,
      occurredAt: new Date(command.now),
    });
  }

  async state(paymentId: string): Promise<CardTransferState> {
    const stream = await this.store.readStream<CardTransferEvent>(cardTransferStreamId(paymentId));
    return foldEvents(cardTransferDecider, stream.events);
  }

  /** The member's latest transfer in `status` (by default: awaiting a receipt), if any. */
  async awaitingReceipt(botId: string, telegramUserId: string, status: CardTransferStatus = 'awaiting_receipt'): Promise<string | null> {
    const row = await this.orm.em.fork().findOne(CardTransfer, { botId, telegramUserId, status }, { orderBy: { createdAt: 'desc' }, fields: ['paymentId'] });
    return row?.paymentId ?? null;
  }
}
