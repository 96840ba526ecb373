import type { AccessReplyJson, ConsumeReplyJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../shared/clock.js';
import { telegramUserIdOf } from '../shared/telegram-user-id.js';
import { accessAt } from './access.js';
import { SubscriptionAccess } from './subscription-access.entity.js';
import { SubscriptionCommands } from './subscription-commands.js';
import type { AccessDto, ConsumeDto } from './subscriptions.dto.js';

/** Access checks (one read of the access read model) and credit consumption (a locked command). */
@Injectable()
export class AccessUseCase {
  constructor(
    private readonly orm: MikroORM,
    private readonly commands: SubscriptionCommands,
    private readonly clock: Clock,
  ) {}

  async access(request: AccessDto): Promise<AccessReplyJson> {
    const row = await this.orm.em.fork().findOne(SubscriptionAccess, { botId: request.botId, telegramUserId: request.telegramUserId });
    return row ? accessAt(row.view, this.clock.now()) : { reason: 'ACCESS_REASON_NONE' };
  }

  async consume(request: ConsumeDto): Promise<ConsumeReplyJson> {
    const now = this.clock.now();
    const telegramUserId = telegramUserIdOf(request.telegramUserId);
    const { state, newEvents } = await this.commands.handle(
      { type: 'ConsumeCredit', botId: request.botId, telegramUserId, requestId: request.requestId, now: now.toISOString() },
      { kind: 'user', id: String(telegramUserId) },
      now,
    );
    return { ...(state.view.credits ? { creditsLeft: state.view.credits } : {}), ...(newEvents.length ? { consumed: true } : {}) };
  }
}
