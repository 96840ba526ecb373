import { describe, expect, it } from '@jest/globals';
import { Progress, renderSummary } from './progress.js';

const output = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
};
const counts = (imported: number) => ({ imported, skipped: 0, failed: 0 });

describe('The progress of an import', () => {
  it('redraws a bar in place on a terminal and ends the line at the last row', () => {
    const { written, out } = output(true);
    const progress = new Progress(out, 4);
    for (let done = 1; done <= 4; done++) progress.update(done, counts(done));
    expect(written[0]).toBe('\r[#######-----------------------] 1/4  imported 1, skipped 0');
    expect(written.at(-2)).toBe('\r[##############################] 4/4  imported 4, skipped 0');
    expect(written.at(-1)).toBe('\n');
  });

  it('writes a plain line at the first row and at each tenth elsewhere, not one per row', () => {
    const { written, out } = output(false);
    const progress = new Progress(out, 100);
    for (let done = 1; done <= 100; done++) progress.update(done, counts(done));
    expect(written).toHaveLength(11);
    expect(written.at(-1)).toBe('progress: 100/100  imported 100, skipped 0\n');
    expect(written.every((line) => !line.includes('\r'))).toBe(true);
  });

  it('sums up the counts, each invalid row with why, and the backup', () => {
    const text = renderSummary(
      {
        imported: 2,
        skipped: 1,
        invalid: [{ key: 'abc', reasons: ['bad Telegram id "abc"'] }],
        failed: [],
        notes: [{ key: '5', note: 'level 3 in the file, 2 by the bot' }],
      },
      '/tmp/users_data.json.bak',
    );
    expect(text).toBe(
      [
        'imported: 2',
        'skipped (already imported, nothing new): 1',
        'invalid (not imported): 1',
        '  abc: bad Telegram id "abc"',
        'notes: 1',
        '  5: level 3 in the file, 2 by the bot',
        'backup of the file: /tmp/users_data.json.bak',
        '',
      ].join('\n'),
    );
  });
});
