import { constants, copyFileSync } from 'node:fs';

/** Copies the file next to itself (`users_data.json.2026-12-01T02-30-00-123Z.bak`) before it is read; never overwrites one. */
export function backUp(path: string, now: Date): string {
  const backup = `${path}.${now.toISOString().replace(/:/g, '-').replace('.', '-')}.bak`;
  copyFileSync(path, backup, constants.COPYFILE_EXCL);
  return backup;
}
