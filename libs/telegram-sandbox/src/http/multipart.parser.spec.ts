import { describe, expect, it } from '@jest/globals';
import { parseMultipart } from './multipart.parser.js';

describe('parseMultipart', () => {
  it('reads the terse headers grammY writes', () => {
    const body = Buffer.from(
      '------b\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n42\r\n' +
        '------b\r\ncontent-disposition:form-data;name="abc";filename=photo.jpg\r\ncontent-type:application/octet-stream\r\n\r\n\x00\x01\r\n\x02\r\n' +
        '------b--\r\n',
      'latin1',
    );
    const parsed = parseMultipart(body, 'multipart/form-data; boundary=----b');
    expect(parsed.fields.get('chat_id')).toBe('42');
    const file = parsed.files.get('abc');
    expect(file).toMatchObject({ filename: 'photo.jpg', contentType: 'application/octet-stream' });
    expect([...file!.data]).toEqual([0, 1, 13, 10, 2]);
  });

  it('reads browser-style quoted headers', async () => {
    const form = new FormData();
    form.set('text', 'héllo');
    form.set('document', new Blob(['a;b']), 'my "file".csv');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const parsed = parseMultipart(Buffer.from(await request.arrayBuffer()), request.headers.get('content-type')!);
    expect(parsed.fields.get('text')).toBe('héllo');
    expect(parsed.files.get('document')?.data.toString()).toBe('a;b');
    expect(parsed.files.get('document')?.filename).toContain('file');
  });
});
