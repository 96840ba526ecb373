import { checkFeatureDeclaration } from '@botplatform/bot-kit';
import { correlationIdOrNew } from '@botplatform/bus';
import type { DeclareBotFeaturesReplyJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ALL_BOTS,
  BOT_FEATURES_STREAM,
  botFeaturesDecider,
  type BotFeaturesEvent,
  type BotFeaturesState,
  type DeclareBotFeatures,
} from './bot-features.decider.js';
import type { DeclareBotFeaturesDto } from './declare-bot-features.dto.js';
import { GatewayRoutingTable } from './gateway-routing-table.js';

/**
 * A service declares its bot features: checked, decided against the table in the stream (appended with
 * the version read, retried on a race with another declaration), and the table in force swapped at once.
 */
@Injectable()
export class DeclareBotFeaturesUseCase {
  private readonly logger = new Logger('DeclareBotFeatures');
  private readonly commands: CommandHandler<BotFeaturesState, DeclareBotFeatures, BotFeaturesEvent>;

  constructor(
    store: PostgresEventStore,
    private readonly routing: GatewayRoutingTable,
  ) {
    // Services starting together declare together, all on one stream: rare and cheap, so a declaration
    // keeps trying rather than failing on the fifth lost race.
    this.commands = new CommandHandler(store, botFeaturesDecider, { maxAttempts: 20, maxBackoffMs: 50 });
  }

  async execute(request: DeclareBotFeaturesDto): Promise<DeclareBotFeaturesReplyJson> {
    const declaration = checkFeatureDeclaration(request.declaration);
    const { state, version, newEvents } = await this.commands.handle(
      BOT_FEATURES_STREAM,
      { type: 'DeclareBotFeatures', declaration },
      {
        botId: ALL_BOTS,
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'service', id: declaration.service },
        occurredAt: new Date(),
      },
    );
    this.routing.apply(state.table, version);
    if (newEvents.length > 0) this.logger.log(`bot features of ${declaration.service} in force (routing table v${version})`);
    return { changed: newEvents.length > 0, version: String(version) };
  }
}
