import { randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import type { Document, PhotoSize } from 'grammy/types';
import type { ImageSize } from './image-size.js';

/** Kinds of media the sandbox can send; Telegram refuses to use a file of one kind as another. */
export type FileKind = 'photo' | 'document';

/** One stored file version (a photo has one per size). */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: FileKind;
  /** file_ids are valid only for the bot that received them. */
  botId: number;
  data: Buffer;
  filePath: string;
  /** For photos: every size of the same photo, so resending any of them returns the whole set. */
  photoSizes?: PhotoSize[];
  document?: Document;
}

/** A stored file as the state file keeps it: the bytes as base64. */
export type StoredFileSnapshot = Omit<StoredFile, 'data'> & { data: string };

export interface FileStoreSnapshot {
  files: StoredFileSnapshot[];
  nextPathSeq: number;
}

/** Telegram's photo size ladder: it keeps a thumbnail and a few downscaled copies. */
const PHOTO_SIDES = [90, 320, 800, 1280];

const MIME_BY_EXTENSION: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.html': 'text/html',
  '.xml': 'application/xml',
};

/**
 * Files uploaded by bots. Uploading creates new file ids; sending an existing file_id reuses
 * the stored file, as Telegram does.
 */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private nextPathSeq = 1;

  addPhoto(botId: number, data: Buffer, size: ImageSize): PhotoSize[] {
    const uniqueBase = randomId(8);
    const longest = Math.max(size.width, size.height);
    const sides = [...PHOTO_SIDES.filter((side) => side < longest), Math.min(longest, 2560)];
    const sizes: PhotoSize[] = [];
    const files: StoredFile[] = [];
    for (const [index, side] of sides.entries()) {
      const scale = side / longest;
      const file = this.register(botId, 'photo', data, `photos/file_${this.nextPathSeq++}.jpg`, `AQAD${uniqueBase}${index}`);
      const photoSize: PhotoSize = {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        width: Math.max(1, Math.round(size.width * scale)),
        height: Math.max(1, Math.round(size.height * scale)),
        file_size: Math.max(1, Math.round(data.length * scale * scale)),
      };
      sizes.push(photoSize);
      files.push(file);
    }
    for (const file of files) file.photoSizes = sizes;
    return sizes;
  }

  addDocument(botId: number, data: Buffer, fileName: string, declaredMime?: string): Document {
    const file = this.register(botId, 'document', data, `documents/file_${this.nextPathSeq++}${extname(fileName)}`);
    const mime =
      MIME_BY_EXTENSION[extname(fileName).toLowerCase()] ??
      (declaredMime && declaredMime !== 'application/octet-stream' ? declaredMime : 'application/octet-stream');
    file.document = {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_name: fileName,
      mime_type: mime,
      file_size: data.length,
    };
    return file.document;
  }

  /** The file behind a file_id, if it exists for this bot. */
  find(botId: number, fileId: string): StoredFile | undefined {
    const file = this.byId.get(fileId);
    return file && file.botId === botId ? file : undefined;
  }

  findByPath(botId: number, filePath: string): StoredFile | undefined {
    const file = this.byPath.get(filePath);
    return file && file.botId === botId ? file : undefined;
  }

  snapshot(): FileStoreSnapshot {
    return {
      files: [...this.byId.values()].map((file) => ({ ...file, data: file.data.toString('base64') })),
      nextPathSeq: this.nextPathSeq,
    };
  }

  restore(snapshot: FileStoreSnapshot): void {
    this.byId.clear();
    this.byPath.clear();
    for (const saved of snapshot.files) {
      const file: StoredFile = { ...saved, data: Buffer.from(saved.data, 'base64') };
      this.byId.set(file.fileId, file);
      this.byPath.set(file.filePath, file);
    }
    this.nextPathSeq = snapshot.nextPathSeq;
  }

  private register(botId: number, kind: FileKind, data: Buffer, filePath: string, fileUniqueId?: string): StoredFile {
    const prefix = kind === 'photo' ? 'AgACAgIAAxkBAAI' : 'BQACAgIAAxkBAAI';
    const file: StoredFile = {
      fileId: `${prefix}${randomId(48)}`,
      fileUniqueId: fileUniqueId ?? `AgAD${randomId(12)}`,
      kind,
      botId,
      data,
      filePath,
    };
    this.byId.set(file.fileId, file);
    this.byPath.set(filePath, file);
    return file;
  }
}

export function randomId(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}
