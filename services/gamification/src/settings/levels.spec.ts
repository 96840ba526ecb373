import { describe, expect, it } from '@jest/globals';
import { levelFor, levelsProblem, nextLevelAfter } from './levels.js';

const LEVELS = [
  { level: 1, minXp: 0 },
  { level: 2, minXp: 100 },
  { level: 3, minXp: 300 },
  { level: 5, minXp: 1000 },
];

describe('Level thresholds', () => {
  it('accept level 1 at 0 XP followed by strictly increasing levels and XP (levels may skip numbers)', () => {
    expect(levelsProblem(LEVELS)).toBeNull();
    expect(levelsProblem([{ level: 1, minXp: 0 }])).toBeNull();
  });

  it.each([
    ['no level at all', [], 'at least level 1 is needed'],
    ['a first level other than 1', [{ level: 2, minXp: 0 }], 'the first threshold must be level 1 at 0 XP'],
    ['level 1 above 0 XP', [{ level: 1, minXp: 10 }], 'the first threshold must be level 1 at 0 XP'],
    [
      'a level repeated',
      [
        { level: 1, minXp: 0 },
        { level: 2, minXp: 10 },
        { level: 2, minXp: 20 },
      ],
      'level 2 must be above level 2',
    ],
    [
      'levels out of order',
      [
        { level: 1, minXp: 0 },
        { level: 3, minXp: 10 },
        { level: 2, minXp: 20 },
      ],
      'level 2 must be above level 3',
    ],
    [
      'the same XP for two levels',
      [
        { level: 1, minXp: 0 },
        { level: 2, minXp: 10 },
        { level: 3, minXp: 10 },
      ],
      'level 3 must need more XP than level 2',
    ],
    [
      'less XP for a higher level',
      [
        { level: 1, minXp: 0 },
        { level: 2, minXp: 50 },
        { level: 3, minXp: 40 },
      ],
      'level 3 must need more XP than level 2',
    ],
  ])('refuse %s', (_case, levels, problem) => {
    expect(levelsProblem(levels)).toBe(problem);
  });

  it('give the highest level whose threshold the XP reaches, and the next one', () => {
    expect([0, 99, 100, 299, 300, 999, 1000, 50_000].map((xp) => levelFor(LEVELS, xp))).toEqual([1, 1, 2, 2, 3, 3, 5, 5]);
    expect(nextLevelAfter(LEVELS, 1)).toEqual({ level: 2, minXp: 100 });
    expect(nextLevelAfter(LEVELS, 3)).toEqual({ level: 5, minXp: 1000 });
    expect(nextLevelAfter(LEVELS, 5)).toBeNull();
  });
});
