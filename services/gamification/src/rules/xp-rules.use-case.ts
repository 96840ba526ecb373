import { correlationIdOrNew } from '@botplatform/bus';
import type { SetXpRulesReplyJson, XpRulesJson } from '@botplatform/contracts';
import { CommandHandler, PostgresEventStore } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { NO_XP_RULES, xpRulesDecider, xpRulesStreamId, type SetXpRules, type XpRules, type XpRulesSet, type XpRulesState } from './xp-rules.decider.js';
import { xpRulesProjection } from './xp-rules.projection.js';

export const xpRulesJson = (rules: XpRules): XpRulesJson => ({ ...rules });

/** `rpc.gamification.set-xp-rules` and the rules' look-up by the award paths (record-activity). */
@Injectable()
export class XpRulesUseCase {
  private readonly handler: CommandHandler<XpRulesState, SetXpRules, XpRulesSet>;

  constructor(
    store: PostgresEventStore,
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, xpRulesDecider, { lockStream: true, projections: [xpRulesProjection] });
  }

  async set(botId: string, rules: XpRules): Promise<SetXpRulesReplyJson> {
    const now = this.clock.now();
    const { state, newEvents } = await this.handler.handle(
      xpRulesStreamId(botId),
      { type: 'SetXpRules', botId, rules, now: now.toISOString() },
      {
        botId,
        correlationId: correlationIdOrNew(randomUUID),
        causationId: null,
        actor: { kind: 'service', id: 'rpc-caller' },
        occurredAt: now,
      },
    );
    return { rules: xpRulesJson(state.rules), changed: newEvents.length > 0 };
  }

  async of(botId: string): Promise<XpRules> {
    const [row] = await this.orm.em.getConnection().execute<{ rules: XpRules }[]>('SELECT rules FROM gamification.xp_rules WHERE bot_id = ?', [botId]);
    return row?.rules ?? NO_XP_RULES;
  }
}
