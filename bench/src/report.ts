import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One figure of ours beside its raw baseline, measured in the same run. */
export interface BenchLine {
  readonly scenario: string;
  readonly line: string;
  readonly unit: string;
  /** Throughput is better higher, latency lower: it decides how the ratio is judged. */
  readonly better: 'higher' | 'lower';
  readonly ours: number;
  readonly raw: number;
  /** Extra measurements that explain the figure (e.g. where the time went). */
  readonly details?: Readonly<Record<string, number>>;
}

/**
 * The aim is "ours at ≥ 50 % of raw". For throughput that is ours/raw ≥ 0.5; for latency,
 * where lower is better, the same aim is ours/raw ≤ 2 (ours at least half as fast as raw).
 */
const AIM = 0.5;

export interface JudgedLine extends BenchLine {
  readonly ratio: number;
  readonly aim: string;
  readonly meetsAim: boolean;
}

export function judge(line: BenchLine): JudgedLine {
  const ratio = line.ours / line.raw;
  const meetsAim = line.better === 'higher' ? ratio >= AIM : ratio <= 1 / AIM;
  return { ...line, ratio, aim: line.better === 'higher' ? `>= ${AIM.toFixed(2)}` : `<= ${(1 / AIM).toFixed(2)}`, meetsAim };
}

export function formatTable(lines: readonly JudgedLine[]): string {
  const header = ['line', 'unit', 'ours', 'raw', 'ours/raw', 'aim', ''];
  const rows = lines.map((l) => [l.line, l.unit, formatNumber(l.ours), formatNumber(l.raw), l.ratio.toFixed(2), l.aim, l.meetsAim ? 'ok' : 'BELOW AIM']);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([2, 3, 4]);
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(render)].join('\n');
}

function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly lines: readonly JudgedLine[];
  /** Scenarios that produced no figure, with the reason. */
  readonly failures: readonly { readonly scenario: string; readonly error: string }[];
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
