import { DeciderSpecification } from '@botplatform/event-store';
import { describe, it } from '@jest/globals';
import { importedStatsDecider, type ActivityStatsImported, type ImportActivityStats } from './imported-stats.decider.js';

const importStats = (overrides: Partial<ImportActivityStats> = {}): ImportActivityStats => ({
  type: 'ImportActivityStats',
  botId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
  telegramUserId: 42,
  sourceId: 'legacy:bot:42:stats',
  totalActivities: 10,
  bestScore: 185,
  lastActivityAt: '2025-01-15T10:30:00.000Z',
  now: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

const imported = (command: ImportActivityStats): ActivityStatsImported => {
  const { type: _type, now, ...data } = command;
  return { type: 'ActivityStatsImported', data: { ...data, importedAt: now } };
};

describe('Imported statistics', () => {
  const spec = DeciderSpecification.for(importedStatsDecider);

  it('are imported with their total, best score and last activity', () => {
    spec
      .given([])
      .when(importStats())
      .then([imported(importStats())]);
  });

  it('are imported once per source id: a second import, even with other figures, changes nothing', () => {
    spec
      .given([imported(importStats())])
      .when(importStats({ totalActivities: 99, bestScore: null, now: '2026-12-02T10:00:00.000Z' }))
      .then([]);
  });
});
