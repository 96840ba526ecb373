import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WalletEntryRow } from './wallet-entry.entity.js';
import { KIND_OF_EVENT, WALLET_EVENT_TYPES, type WalletEvent } from './wallet.decider.js';

const isWalletEvent = (event: RecordedEvent): event is RecordedEvent<WalletEvent> => (WALLET_EVENT_TYPES as readonly string[]).includes(event.type);

/** The wallet ledger read model (`wallet_entries`), written in the append's transaction: /balance right after a spend sees it. */
export const walletProjection: InlineProjection = {
  name: 'payments.wallet-entries',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isWalletEvent(event)) continue;
      const { data } = event;
      await em.insert(WalletEntryRow, {
        position: event.metadata.globalPosition,
        botId: data.botId,
        telegramUserId: data.telegramUserId,
        currency: data.currency,
        entryId: data.entryId,
        kind: KIND_OF_EVENT[event.type],
        amount: data.amount,
        balanceAfter: data.balanceAfter,
        reason: data.reason ?? null,
        by: data.by ?? null,
        reference: data.reference ?? null,
        recordedAt: new Date(data.recordedAt),
      });
    }
  },
};
