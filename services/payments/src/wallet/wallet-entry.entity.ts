import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { WalletEntryKind } from './wallet.decider.js';

/** One line of a member's wallet ledger, projected from its `wallet-<bot>-<member>-<currency>` stream by wallet.projection.ts. */
@Entity({ tableName: 'wallet_entries' })
export class WalletEntryRow {
  /** The global position of its event: newest last. */
  @PrimaryKey({ type: 'bigint', columnType: 'bigint' })
  position: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  telegramUserId: string;

  @Property({ type: 'text' })
  currency: string;

  @Property({ type: 'text' })
  entryId: string;

  @Property({ type: 'text' })
  kind: WalletEntryKind;

  /** Signed int64 minor units as a decimal string. */
  @Property({ type: 'bigint', columnType: 'bigint' })
  amount: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  balanceAfter: string;

  @Property({ type: 'text', nullable: true })
  reason: string | null;

  @Property({ type: 'text', nullable: true })
  by: string | null;

  @Property({ type: 'text', nullable: true })
  reference: string | null;

  @Property({ type: 'timestamptz' })
  recordedAt: Date;
}
