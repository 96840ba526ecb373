import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Which figure a line's aim is set on: ours against the raw ceiling, ours against the naive durable
 * equivalent (the hand-written version keeping the same promises), or an absolute figure of ours.
 */
export type Aim =
  | { readonly on: 'raw' | 'naive'; readonly ratio: number }
  | { readonly on: 'absolute'; readonly value: number; readonly what?: string }
  /** Reported only (the issue asks for the figure, not for a bound). */
  | { readonly on: 'none' };

/** One figure of ours beside its raw baseline (and, where there is one, its naive durable baseline), measured in the same run. */
export interface BenchLine {
  readonly scenario: string;
  readonly line: string;
  readonly unit: string;
  /** Throughput is better higher, latency lower: it decides how the ratio is judged. */
  readonly better: 'higher' | 'lower';
  readonly ours: number;
  readonly raw: number;
  /** The naive durable baseline, where the line has one. */
  readonly naive?: number;
  /** Default: ours at ≥ 50 % of raw (ratio ≥ 0.5 for throughput, ≤ 2 for latency). Several: all must be met. */
  readonly aim?: Aim | readonly Aim[];
  /** Extra measurements that explain the figure (e.g. where the time went). */
  readonly details?: Readonly<Record<string, number>>;
}

/**
 * The default aim is "ours at ≥ 50 % of raw". For throughput that is ours/raw ≥ 0.5; for latency,
 * where lower is better, the same aim is ours/raw ≤ 2 (ours at least half as fast as raw). Issue 14's
 * aims are set per line, most of them on the naive durable baseline.
 */
const defaultAim = (line: BenchLine): Aim => ({ on: 'raw', ratio: line.better === 'higher' ? 0.5 : 2 });

export interface JudgedLine extends BenchLine {
  readonly ratio: number;
  readonly naiveRatio?: number;
  readonly aimText: string;
  readonly meetsAim: boolean;
}

export function judge(line: BenchLine): JudgedLine {
  const ratio = line.ours / line.raw;
  const naiveRatio = line.naive === undefined ? undefined : line.ours / line.naive;
  const aims: readonly Aim[] = line.aim === undefined ? [defaultAim(line)] : Array.isArray(line.aim) ? line.aim : [line.aim as Aim];
  const judged = aims.map((aim) => judgeAim(line, aim, ratio, naiveRatio));
  return { ...line, ratio, naiveRatio, aimText: judged.map((j) => j.text).join(' & '), meetsAim: judged.every((j) => j.met) };
}

function judgeAim(line: BenchLine, aim: Aim, ratio: number, naiveRatio: number | undefined): { text: string; met: boolean } {
  const higher = line.better === 'higher';
  switch (aim.on) {
    case 'none':
      return { text: 'reported', met: true };
    case 'absolute':
      return {
        met: higher ? line.ours >= aim.value : line.ours < aim.value,
        text: `ours ${higher ? '>=' : '<'} ${formatNumber(aim.value)}${aim.what ? ` ${aim.what}` : ''}`,
      };
    default: {
      const against = aim.on === 'raw' ? ratio : naiveRatio;
      if (against === undefined) throw new Error(`line "${line.line}": aim set on naive, but no naive figure`);
      return { met: higher ? against >= aim.ratio : against <= aim.ratio, text: `/${aim.on} ${higher ? '>=' : '<='} ${aim.ratio.toFixed(2)}` };
    }
  }
}

export function formatTable(lines: readonly JudgedLine[]): string {
  const header = ['line', 'unit', 'ours', 'raw', 'ours/raw', 'naive', 'ours/naive', 'aim', ''];
  const rows = lines.map((l) => [
    l.line,
    l.unit,
    formatNumber(l.ours),
    formatNumber(l.raw),
    l.ratio.toFixed(2),
    l.naive === undefined ? '-' : formatNumber(l.naive),
    l.naiveRatio === undefined ? '-' : l.naiveRatio.toFixed(2),
    l.aimText,
    l.meetsAim ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
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

/** A scenario that failed part way: the lines it did measure are still reported. */
export class PartialScenarioError extends Error {
  constructor(
    message: string,
    readonly lines: readonly BenchLine[],
  ) {
    super(message);
  }
}
