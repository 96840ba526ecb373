import { formatEta, progressButtons, progressText } from './broadcast-progress.js';
import { composeBroadcast } from './broadcast.feature.js';
import type { BroadcastProgress } from './broadcasts.use-case.js';

describe('composeBroadcast', () => {
  it('takes the last lines of the form "Label | link" as link buttons, in order', () => {
    expect(composeBroadcast('<b>Sale</b>\nall week\nShop | https://example.org/shop\n  Help|http://example.org/help ')).toEqual({
      text: '<b>Sale</b>\nall week',
      buttons: [
        { text: 'Shop', url: 'https://example.org/shop' },
        { text: 'Help', url: 'http://example.org/help' },
      ],
    });
  });

  it('leaves a link inside the text alone, and a text without buttons as it is', () => {
    expect(composeBroadcast('Read | https://example.org/a\nand more')).toEqual({ text: 'Read | https://example.org/a\nand more', buttons: [] });
    expect(composeBroadcast('  plain  ')).toEqual({ text: 'plain', buttons: [] });
  });

  it('makes a message of only buttons an empty text (a photo caption may be)', () => {
    expect(composeBroadcast('Go | https://example.org')).toEqual({ text: '', buttons: [{ text: 'Go', url: 'https://example.org' }] });
  });
});

describe('the progress message', () => {
  const progress: BroadcastProgress = { status: 'sending', total: 10, sent: 4, failed: 1, blocked: 1, skipped: 0, cancelled: 0, remaining: 4, etaSeconds: 75 };
  const t = (key: string, variables?: Readonly<Record<string, string | number>>) => `${key}${variables ? JSON.stringify(variables) : ''}`;

  it('reads sent, failed, blocked, remaining and the ETA as a clock', () => {
    expect(progressText(t, progress)).toBe(
      'broadcast-progress{"status":"broadcast-status-sending","sent":4,"failed":1,"blocked":1,"skipped":0,"remaining":4,"eta":"1:15"}',
    );
    expect([formatEta(0), formatEta(59.2), formatEta(3_725)]).toEqual(['0:00', '1:00', '1:02:05']);
  });

  it('offers pause and cancel while sending, resume while paused, nothing once finished', () => {
    expect(progressButtons(t, progress, 'id').map((b) => b.callbackData)).toEqual(['bc:f:id', 'bc:p:id', 'bc:x:id']);
    expect(progressButtons(t, { ...progress, status: 'paused' }, 'id').map((b) => b.callbackData)).toEqual(['bc:f:id', 'bc:r:id', 'bc:x:id']);
    expect(progressButtons(t, { ...progress, status: 'finished' }, 'id')).toEqual([]);
  });
});
