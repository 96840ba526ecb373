/** One file part of a multipart/form-data body. */
export interface UploadedFile {
  fieldName: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

export class MultipartParseError extends Error {
  readonly code = 'SANDBOX.MULTIPART_INVALID';
}

/**
 * Minimal RFC 7578 parser. It has to accept what grammY writes, which is terser than browsers:
 * `content-disposition:form-data;name="photo";filename=photo.jpg` (no spaces, unquoted filename).
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2]?.trim();
  if (!boundary) throw new MultipartParseError('multipart body without boundary');

  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();

  let position = body.indexOf(delimiter);
  if (position < 0) throw new MultipartParseError('multipart boundary not found');
  while (position >= 0) {
    let partStart = position + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    partStart = skipLineBreak(body, partStart);
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) throw new MultipartParseError('multipart body is truncated');
    // The CRLF before the next delimiter belongs to the delimiter, not to the content.
    const partEnd = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next - 1;
    readPart(body.subarray(partStart, Math.max(partStart, partEnd)), fields, files);
    position = next;
  }
  return { fields, files };
}

function skipLineBreak(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return at + 2;
  if (body[at] === 0x0a) return at + 1;
  return at;
}

function readPart(part: Buffer, fields: Map<string, string>, files: Map<string, UploadedFile>): void {
  let headerEnd = part.indexOf('\r\n\r\n');
  let bodyStart = headerEnd + 4;
  if (headerEnd < 0) {
    headerEnd = part.indexOf('\n\n');
    bodyStart = headerEnd + 2;
  }
  if (headerEnd < 0) throw new MultipartParseError('multipart part without headers');
  const headers = new Map<string, string>();
  for (const line of part.subarray(0, headerEnd).toString('utf8').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const name = dispositionParam(disposition, 'name');
  if (!name) return;
  const filename = dispositionParam(disposition, 'filename');
  const content = part.subarray(bodyStart);
  if (filename !== undefined) {
    files.set(name, { fieldName: name, filename, contentType: headers.get('content-type'), data: Buffer.from(content) });
  } else {
    fields.set(name, content.toString('utf8'));
  }
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(disposition);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
}
