import type { ImportSummary } from './import-legacy.js';

export interface Output {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;

/**
 * A progress bar redrawn in place on a terminal; elsewhere (a pipe, a CI log) a plain line at every tenth
 * of the rows and at the end, so a log is not flooded.
 */
export class Progress {
  private lastLine = -1;

  constructor(
    private readonly out: Output,
    private readonly total: number,
  ) {}

  update(done: number, counts: { imported: number; skipped: number; failed: number }): void {
    const tail = `${done}/${this.total}  imported ${counts.imported}, skipped ${counts.skipped}${counts.failed ? `, failed ${counts.failed}` : ''}`;
    if (this.out.isTTY) {
      const filled = this.total === 0 ? BAR_WIDTH : Math.floor((done / this.total) * BAR_WIDTH);
      this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${tail}`);
      if (done === this.total) this.out.write('\n');
      return;
    }
    const tenth = this.total === 0 ? 10 : Math.floor((done * 10) / this.total);
    if (tenth > this.lastLine || done === this.total) {
      this.lastLine = tenth;
      this.out.write(`progress: ${tail}\n`);
    }
  }
}

/** The summary the import prints at the end: the counts, then each invalid or failed row with why. */
export function renderSummary(summary: ImportSummary, backup: string | undefined): string {
  const lines = [
    `imported: ${summary.imported}`,
    `skipped (already imported, nothing new): ${summary.skipped}`,
    `invalid (not imported): ${summary.invalid.length}`,
    ...summary.invalid.map((row) => `  ${row.key}: ${row.reasons.join('; ')}`),
  ];
  if (summary.failed.length > 0) {
    lines.push(`failed (run again to finish them): ${summary.failed.length}`, ...summary.failed.map((row) => `  ${row.key}: ${row.reason}`));
  }
  if (summary.notes.length > 0) lines.push(`notes: ${summary.notes.length}`, ...summary.notes.map((row) => `  ${row.key}: ${row.note}`));
  if (backup) lines.push(`backup of the file: ${backup}`);
  return `${lines.join('\n')}\n`;
}
