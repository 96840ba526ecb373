import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** One admin action: every stored event whose actor is an admin, projected by `auditProjection`. */
@Entity({ tableName: 'audit_entries' })
export class AuditEntry {
  @PrimaryKey({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'uuid' })
  botId: string;

  /** "telegram:<id>", "api:<token id>" or "operator". */
  @Property({ type: 'text' })
  admin: string;

  /** e.g. "member.blocked", "bot.setting-changed". */
  @Property({ type: 'text' })
  action: string;

  /** "telegram:<id>", "flag:<name>", "setting:<key>" or "bot". */
  @Property({ type: 'text' })
  target: string;

  /** The event's data without secrets. */
  @Property({ type: 'json' })
  details: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  occurredAt: Date;
}
