import type { Decider, DomainEvent } from '@botplatform/event-store';

/** The stream of one import of a member's statistics (its source id): it holds at most one ActivityStatsImported. */
export const importedStatsStreamId = (botId: string, telegramUserId: number, sourceId: string): string =>
  `gamification-imported-stats-${botId}-${telegramUserId}-${sourceId}`;

export interface ImportActivityStats {
  readonly type: 'ImportActivityStats';
  readonly botId: string;
  readonly telegramUserId: number;
  readonly sourceId: string;
  readonly totalActivities: number;
  readonly bestScore: number | null;
  /** ISO time of the legacy bot's last activity (checked by the use case: not in the future). */
  readonly lastActivityAt: string;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

export type ActivityStatsImported = DomainEvent<
  'ActivityStatsImported',
  {
    botId: string;
    telegramUserId: number;
    sourceId: string;
    totalActivities: number;
    bestScore: number | null;
    lastActivityAt: string;
    importedAt: string;
  }
>;

export interface ImportedStatsState {
  readonly imported: ActivityStatsImported['data'] | null;
}

/** A legacy bot's statistics, imported once per source id: a second import (other figures or not) changes nothing. */
export const importedStatsDecider: Decider<ImportedStatsState, ImportActivityStats, ActivityStatsImported> = {
  initialState: () => ({ imported: null }),
  evolve: (_state, event) => ({ imported: event.data }),
  decide: (command, state) => {
    if (state.imported) return [];
    const { type: _type, now, ...data } = command;
    return [{ type: 'ActivityStatsImported', data: { ...data, importedAt: now } }];
  },
};
