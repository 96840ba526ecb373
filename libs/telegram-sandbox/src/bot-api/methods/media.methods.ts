import type { Document, PhotoSize } from 'grammy/types';
import { badRequest, TelegramErrors } from '../../errors/telegram-api.error.js';
import type { FileKind } from '../../files/file-store.js';
import { readImageSize } from '../../files/image-size.js';
import type { SandboxCore } from '../../sandbox-core.js';
import type { BotRecord } from '../../state/sandbox-records.js';
import type { MethodGroup } from '../bot-api-method.js';
import { readCaption } from '../message-text.reader.js';
import type { InputFileArgument } from '../method-arguments.js';
import { copyWireObject } from '../../state/wire-objects.js';

/** Downloading a URL the bot passed may only take this long, so a dead URL does not hang the call. */
const URL_FETCH_TIMEOUT_MS = 10_000;

/** sendPhoto, sendDocument and getFile (file ids are per bot; uploads get new ids, file_ids are reused). */
export const mediaMethods: MethodGroup = (core) => ({
  sendPhoto: async ({ bot, args }) => {
    const input = args.file('photo');
    if (!input) throw badRequest('there is no photo in the request');
    const caption = readCaption(args);
    const options = core.sender.readSendOptions(args);
    const target = core.sender.resolveTarget(bot, args);
    const photo = await resolvePhoto(core, bot, input);
    const content = { photo, ...caption, ...(args.bool('has_spoiler') ? { has_media_spoiler: true as const } : {}) };
    return copyWireObject(core.sender.send(bot, target, content, options).message);
  },

  sendDocument: async ({ bot, args }) => {
    const input = args.file('document');
    if (!input) throw badRequest('there is no document in the request');
    const caption = readCaption(args);
    const options = core.sender.readSendOptions(args);
    const target = core.sender.resolveTarget(bot, args);
    const document = await resolveDocument(core, bot, input);
    return copyWireObject(core.sender.send(bot, target, { document, ...caption }, options).message);
  },

  getFile: ({ bot, args }) => {
    const file = core.files.find(bot.id, args.string('file_id').trim());
    if (!file) throw badRequest('wrong file_id or the file is temporarily unavailable');
    return {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.data.length,
      file_path: file.filePath,
    };
  },
});

async function resolvePhoto(core: SandboxCore, bot: BotRecord, input: InputFileArgument): Promise<PhotoSize[]> {
  if (input.kind === 'file_id') {
    const file = findFileOfKind(core, bot, input.fileId, 'photo');
    return structuredClone(file.photoSizes ?? []);
  }
  const data = input.kind === 'upload' ? input.file.data : await download(input.url);
  const size = readImageSize(data);
  if (!size) throw badRequest('IMAGE_PROCESS_FAILED');
  return core.files.addPhoto(bot.id, data, size);
}

async function resolveDocument(core: SandboxCore, bot: BotRecord, input: InputFileArgument): Promise<Document> {
  if (input.kind === 'file_id') {
    const file = findFileOfKind(core, bot, input.fileId, 'document');
    if (!file.document) throw TelegramErrors.wrongFileId();
    return structuredClone(file.document);
  }
  if (input.kind === 'upload') {
    return core.files.addDocument(bot.id, input.file.data, input.file.filename ?? 'document', input.file.contentType);
  }
  const data = await download(input.url);
  const name = decodeURIComponent(new URL(input.url).pathname.split('/').pop() || 'file');
  return core.files.addDocument(bot.id, data, name);
}

function findFileOfKind(core: SandboxCore, bot: BotRecord, fileId: string, kind: FileKind) {
  const file = core.files.find(bot.id, fileId);
  if (!file) throw TelegramErrors.wrongFileId();
  if (file.kind !== kind) throw badRequest(`can't use file of type ${kindName(file.kind)} as ${kindName(kind)}`);
  return file;
}

function kindName(kind: FileKind): string {
  return kind === 'photo' ? 'Photo' : 'Document';
}

async function download(url: string): Promise<Buffer> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(URL_FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  } catch {
    throw badRequest('failed to get HTTP URL content');
  }
}
