/**
 * An object's bytes wherever they are (inline, one blob file, the part blobs of a multipart object), read
 * through a row read earlier: its blob files are pinned (BlobFiles.pin) from the moment the row is read, so a
 * replace or delete committed meanwhile unlinks them only after the reader is done. Byte ranges run across
 * part boundaries seamlessly, opening one part file at a time. An encrypted object's pieces each start with
 * their own IV (encryption/ctr.ts): a read from offset n reads the file from n + IV_BYTES and decrypts with
 * the counter advanced to n.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { decryptorAt, decryptSlice, IV_BYTES } from '../encryption/index.js';
import { IO_BUFFER, type BlobFiles } from './blobs.js';
import type { MetaDb, RowWithData } from './db.js';
import type { PartBlob } from './uploads-db.js';

export interface Located {
  row: RowWithData;
  /** The blob files holding the bytes, in order: none when inline, one, or a multipart object's parts. */
  pieces: PartBlob[];
  /** Unpins the blob files. Idempotent. */
  release: () => void;
}

/** The row's blob files, pinned; call in the same turn as reading the row. */
export function locate(db: MetaDb, blobs: BlobFiles, row: RowWithData): Located {
  let pieces: PartBlob[] = [];
  if (row.parts_count !== null) pieces = db.objectParts(row.bucket, row.key);
  else if (row.blob !== null) pieces = [{ blob: row.blob, size: row.size }];
  return { row, pieces, release: blobs.pin(pieces.map((p) => p.blob)) };
}

/** The inclusive span of part `partNumber` (1-based) of the located object, or undefined when it has none. */
export function partSpan(located: Located, partNumber: number): { start: number; end: number } | undefined {
  if (located.row.parts_count === null) return partNumber === 1 ? { start: 0, end: located.row.size - 1 } : undefined;
  let start = 0;
  for (const [i, part] of located.pieces.entries()) {
    if (i + 1 === partNumber) return { start, end: start + part.size - 1 };
    start += part.size;
  }
  return undefined;
}

async function readIv(fh: FileHandle): Promise<Buffer> {
  const iv = Buffer.alloc(IV_BYTES);
  const { bytesRead } = await fh.read(iv, 0, IV_BYTES, 0);
  if (bytesRead !== IV_BYTES) throw new ServiceError('InternalError', 'An encrypted piece of the object is cut short in the fs store.');
  return iv;
}

/** Bytes from..to (inclusive) of one piece's file, decrypted when there is a data key; closes the file. */
async function* fileBytes(fh: FileHandle, from: number, to: number, dataKey: Buffer | undefined): AsyncGenerator<Buffer> {
  const highWaterMark = Math.min(IO_BUFFER, to - from + 1);
  if (!dataKey) {
    yield* fh.createReadStream({ start: from, end: to, highWaterMark }); // closes the file when done or destroyed
    return;
  }
  let iv: Buffer;
  try {
    iv = await readIv(fh);
  } catch (err) {
    await fh.close();
    throw err;
  }
  const decipher = decryptorAt(dataKey, iv, from);
  for await (const chunk of fh.createReadStream({ start: from + IV_BYTES, end: to + IV_BYTES, highWaterMark })) {
    yield decipher.update(chunk as Buffer);
  }
}

async function* pieceBytes(blobs: BlobFiles, pieces: readonly PartBlob[], start: number, end: number, dataKey: Buffer | undefined): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const piece of pieces) {
    const pieceStart = offset;
    offset += piece.size;
    if (piece.size === 0 || offset - 1 < start) continue;
    if (pieceStart > end) return;
    const fh = await blobs.openRead(piece.blob);
    if (!fh) throw new ServiceError('InternalError', 'A part of the object is missing from the fs store.');
    const from = Math.max(start, pieceStart) - pieceStart;
    const to = Math.min(end, offset - 1) - pieceStart;
    yield* fileBytes(fh, from, to, dataKey);
  }
}

/** The bytes start..end (inclusive) of an inline object's stored data, decrypted when there is a data key. */
export function inlineSlice(data: Buffer, start: number, end: number, dataKey: Buffer | undefined): Buffer {
  if (!dataKey) return data.subarray(start, end + 1);
  return decryptSlice(dataKey, data.subarray(0, IV_BYTES), start, data.subarray(IV_BYTES + start, IV_BYTES + end + 1));
}

/**
 * Bytes start..end (inclusive) of the located object, decrypted with `dataKey` when it is encrypted; an
 * empty stream when end < start.
 */
export function bytesOf(blobs: BlobFiles, located: Located, start: number, end: number, dataKey?: Buffer | undefined): Readable {
  const { row } = located;
  if (end < start) return Readable.from([]);
  if (row.blob === null && row.parts_count === null) {
    if (!row.data) throw new ServiceError('InternalError', `The data of "${row.key.toString('utf8')}" is missing from the fs store.`);
    return Readable.from([inlineSlice(row.data, start, end, dataKey)]);
  }
  return Readable.from(pieceBytes(blobs, located.pieces, start, end, dataKey), { objectMode: false, highWaterMark: IO_BUFFER });
}
