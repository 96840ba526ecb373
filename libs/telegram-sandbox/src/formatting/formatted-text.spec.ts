import { describe, expect, it } from '@jest/globals';
import { TelegramApiError } from '../errors/telegram-api.error.js';
import { formatText } from './formatted-text.js';

const html = (text: string) => formatText({ text, parseMode: 'HTML' });
const markdownV2 = (text: string) => formatText({ text, parseMode: 'MarkdownV2' });

function parseError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TelegramApiError) return error.description;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('formatText', () => {
  describe('in HTML mode', () => {
    it('turns nested tags into entities and decodes character references', () => {
      expect(html('<b>bold <i>both</i></b> &lt;3 &amp; <code>x</code>')).toEqual({
        text: 'bold both <3 & x',
        entities: [
          { type: 'bold', offset: 0, length: 9 },
          { type: 'italic', offset: 5, length: 4 },
          { type: 'code', offset: 15, length: 1 },
        ],
      });
    });

    it('gives pre blocks their language from an inner code class', () => {
      expect(html('<pre><code class="language-ts">let x = 1;</code></pre>').entities).toEqual([{ type: 'pre', offset: 0, length: 10, language: 'ts' }]);
    });

    it('reports unknown and mismatched tags with byte offsets', () => {
      expect(parseError(() => html('ü<blink>x</blink>'))).toBe('Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 2');
      expect(parseError(() => html('<b><i>x</b></i>'))).toBe(
        'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
      );
    });
  });

  describe('in MarkdownV2 mode', () => {
    it('parses nested entities, links and escapes', () => {
      expect(markdownV2('*bold _italic_* [site](https://example.com/a\\)b) 1\\.5')).toEqual({
        text: 'bold italic site 1.5',
        entities: [
          { type: 'bold', offset: 0, length: 11 },
          { type: 'italic', offset: 5, length: 6 },
          { type: 'text_link', offset: 12, length: 4, url: 'https://example.com/a)b' },
        ],
      });
    });

    it('requires reserved characters to be escaped', () => {
      expect(parseError(() => markdownV2('Done!'))).toBe(
        "Bad Request: can't parse entities: Character '!' is reserved and must be escaped with the preceding '\\'",
      );
    });

    it('reports the byte offset of an entity that never ends', () => {
      expect(parseError(() => markdownV2('привет _мир'))).toBe("Bad Request: can't parse entities: Can't find end of Italic entity at byte offset 13");
    });
  });

  describe('in legacy Markdown mode', () => {
    it('parses entities without needing escapes for other characters', () => {
      expect(formatText({ text: '*Hi* there. `code`!', parseMode: 'Markdown' })).toEqual({
        text: 'Hi there. code!',
        entities: [
          { type: 'bold', offset: 0, length: 2 },
          { type: 'code', offset: 10, length: 4 },
        ],
      });
    });
  });

  it('trims surrounding whitespace and shifts entities with it', () => {
    expect(formatText({ text: '  \n<b>hi</b>  ', parseMode: 'html' })).toEqual({
      text: 'hi',
      entities: [{ type: 'bold', offset: 0, length: 2 }],
    });
  });

  it('detects commands, mentions, hashtags and links by itself, but not inside code', () => {
    const { entities } = formatText({ text: '/start@shop_bot hi @alice #news https://t.me/x', parseMode: '' });
    expect(entities.map((entity) => entity.type)).toEqual(['bot_command', 'mention', 'hashtag', 'url']);
    const coded = formatText({ text: '`/notacommand`', parseMode: 'Markdown' });
    expect(coded.entities).toEqual([{ type: 'code', offset: 0, length: 12 }]);
  });

  it('keeps explicit entities and drops the ones Telegram computes itself', () => {
    const result = formatText({
      text: 'bold /cmd',
      parseMode: '',
      entitiesJson: JSON.stringify([
        { type: 'bold', offset: 0, length: 4 },
        { type: 'mention', offset: 0, length: 4 },
      ]),
    });
    expect(result.entities).toEqual([
      { type: 'bold', offset: 0, length: 4 },
      { type: 'bot_command', offset: 5, length: 4 },
    ]);
  });

  it('refuses unknown parse modes', () => {
    expect(parseError(() => formatText({ text: 'x', parseMode: 'bbcode' }))).toBe('Bad Request: unsupported parse_mode');
  });
});
