import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { GatewaySession } from '../bot/bot-context.js';

/** One chat's conversation state with one bot (grammY session), keyed by the session key grammY derives. */
@Entity({ tableName: 'gateway_sessions' })
export class GatewaySessionRecord {
  @PrimaryKey({ type: 'uuid' })
  botId: string;

  @PrimaryKey({ type: 'text' })
  key: string;

  @Property({ type: 'json' })
  value: GatewaySession;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
