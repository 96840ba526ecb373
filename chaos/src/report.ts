import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RssSnapshot } from './chaos-environment.js';
import { SERVICE_NAMES } from './service-process.js';

/** Recovery times of one scenario's faults, in ms. */
export interface RecoverySummary {
  readonly maxMs: number | undefined;
  readonly medianMs: number | undefined;
  /** Faults the system never recovered from within the scenario's bound. */
  readonly unrecovered: number;
}

/** What one scenario found. `failures` empty means it passed. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly sent: number;
  /** Effects found in the services' databases (memberships; accepted send requests). */
  readonly applied: number;
  /** Seen by the users in the sandbox (replies; delivered messages). */
  readonly answered: number;
  readonly lost: number;
  readonly doubled: number;
  readonly recovery?: RecoverySummary;
  readonly rssBefore: RssSnapshot;
  readonly rssAfter: RssSnapshot;
  readonly failures: readonly string[];
  /** Figures beside the table: per fault recovery, tx/s, unexpected exits… */
  readonly notes: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export function summarizeRecovery(times: readonly (number | undefined)[]): RecoverySummary {
  const known = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const middle = Math.floor(known.length / 2);
  const medianMs = known.length === 0 ? undefined : known.length % 2 ? known[middle] : Math.round((known[middle - 1] + known[middle]) / 2);
  return { maxMs: known.at(-1), medianMs, unrecovered: times.length - known.length };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1_000).toFixed(1)}s`);

function formatRecovery(recovery: RecoverySummary | undefined): string {
  if (!recovery) return '-';
  const never = recovery.unrecovered ? ` (+${recovery.unrecovered} never)` : '';
  return `${seconds(recovery.maxMs)} / ${seconds(recovery.medianMs)}${never}`;
}

function formatRss(before: RssSnapshot, after: RssSnapshot): string {
  // Only the services the figures were taken of, by the first three letters (gateway and gamification share the first).
  return SERVICE_NAMES.filter((name) => before[name] !== undefined || after[name] !== undefined)
    .map((name) => `${name.slice(0, 3)} ${before[name] ?? '?'}→${after[name] ?? '?'}`)
    .join('  ');
}

export function formatTable(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'sent', 'applied', 'answered', 'lost', 'doubled', 'recover max / median', 'RSS MB before→after (per service)', 'result'];
  const rows = results.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.applied),
    String(r.answered),
    String(r.lost),
    String(r.doubled),
    formatRecovery(r.recovery),
    formatRss(r.rssBefore, r.rssAfter),
    r.failures.length ? 'FAIL' : 'pass',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const numeric = new Set([1, 2, 3, 4, 5]);
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const lines = [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(render)];
  for (const result of results) {
    if (!result.failures.length && !result.notes.length) continue;
    lines.push('', `${result.scenario}:`);
    for (const failure of result.failures) lines.push(`  FAIL  ${failure}`);
    for (const note of result.notes) lines.push(`        ${note}`);
  }
  return lines.join('\n');
}

export async function writeReport(path: string, report: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
