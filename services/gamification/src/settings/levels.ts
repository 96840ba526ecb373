/** One threshold of a bot's levels: a member with at least `minXp` XP is at `level` (or above). */
export interface LevelThreshold {
  readonly level: number;
  readonly minXp: number;
}

/** A bot that configured nothing: everyone is level 1. */
export const DEFAULT_LEVELS: readonly LevelThreshold[] = [{ level: 1, minXp: 0 }];

/** Why a list of thresholds is refused, or null when it is valid: level 1 at 0 XP first, then strictly increasing levels and XP. */
export function levelsProblem(levels: readonly LevelThreshold[]): string | null {
  if (levels.length === 0) return 'at least level 1 is needed';
  if (levels.length > 1000) return 'at most 1000 levels';
  const [first] = levels;
  if (first.level !== 1 || first.minXp !== 0) return 'the first threshold must be level 1 at 0 XP';
  for (let i = 1; i < levels.length; i++) {
    const previous = levels[i - 1];
    const current = levels[i];
    if (!Number.isSafeInteger(current.level) || current.level <= previous.level) return `level ${current.level} must be above level ${previous.level}`;
    if (!Number.isSafeInteger(current.minXp) || current.minXp <= previous.minXp) return `level ${current.level} must need more XP than level ${previous.level}`;
  }
  return null;
}

/** The highest level whose threshold `xp` reaches (thresholds valid, so level 1 at least). */
export function levelFor(levels: readonly LevelThreshold[], xp: number): number {
  let level = 1;
  for (const threshold of levels) {
    if (threshold.minXp > xp) break;
    level = threshold.level;
  }
  return level;
}

/** The first threshold above `level`, or null at the top. */
export function nextLevelAfter(levels: readonly LevelThreshold[], level: number): LevelThreshold | null {
  return levels.find((threshold) => threshold.level > level) ?? null;
}
