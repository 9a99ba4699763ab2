/**
 * An object's bytes wherever they are (inline, one blob file, the part blobs of a multipart object), read
 * through a row read earlier: its blob files are pinned (BlobFiles.pin) from the moment the row is read, so a
 * replace or delete committed meanwhile unlinks them only after the reader is done. Byte ranges run across
 * part boundaries seamlessly, opening one part file at a time.
 */
import { Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
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

async function* pieceBytes(blobs: BlobFiles, pieces: readonly PartBlob[], start: number, end: number): AsyncGenerator<Buffer> {
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
    // closes the file when done or destroyed
    yield* fh.createReadStream({ start: from, end: to, highWaterMark: Math.min(IO_BUFFER, to - from + 1) });
  }
}

/** Bytes start..end (inclusive) of the located object; an empty stream when end < start. */
export function bytesOf(blobs: BlobFiles, located: Located, start: number, end: number): Readable {
  const { row } = located;
  if (end < start) return Readable.from([]);
  if (row.blob === null && row.parts_count === null) {
    if (!row.data) throw new ServiceError('InternalError', `The data of "${row.key.toString('utf8')}" is missing from the fs store.`);
    return Readable.from([row.data.subarray(start, end + 1)]);
  }
  return Readable.from(pieceBytes(blobs, located.pieces, start, end), { objectMode: false, highWaterMark: IO_BUFFER });
}
