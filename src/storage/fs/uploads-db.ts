/**
 * The multipart uploads still open, in meta.sqlite: one `uploads` row each (what the object will be stored
 * with) and one `upload_parts` row per part, naming its blob file. Part blobs become the object's on
 * completion (MetaDb.completeUpload) without being copied. Like MetaDb's, the mutators run inside the grouped
 * commit and check before they write.
 */
import type Database from 'better-sqlite3';
import { ServiceError } from '../../errors/codes.js';

export interface UploadRow {
  id: string;
  bucket: string;
  key: Buffer;
  /** ms since the epoch. */
  initiated: number;
  content_type: string;
  cache_control: string | null;
  content_disposition: string | null;
  content_encoding: string | null;
  metadata: string;
  tags: string | null;
  checksum_algorithm: string | null;
  /** JSON EncryptionRecord of the upload's data key (its parts are encrypted under it), or null. */
  encryption: string | null;
}

export interface UploadPartRow {
  upload_id: string;
  part_number: number;
  blob: string;
  size: number;
  etag: string;
  last_modified: number;
  checksums: string | null;
}

/** One part's bytes: its blob file and length (a part of an object, or one chosen for completion). */
export interface PartBlob {
  blob: string;
  size: number;
}

export type UploadListRow = Pick<UploadRow, 'id' | 'key' | 'initiated'>;

export function noSuchUpload(uploadId: string): ServiceError {
  return new ServiceError('NoSuchUpload', `The upload "${uploadId}" does not exist: it was never made, or is completed or aborted.`);
}

function prepareAll(db: Database.Database) {
  return {
    insert: db.prepare<[UploadRow]>(
      `INSERT INTO uploads (id, bucket, key, initiated, content_type, cache_control, content_disposition,
         content_encoding, metadata, tags, checksum_algorithm, encryption)
       VALUES (@id, @bucket, @key, @initiated, @content_type, @cache_control, @content_disposition,
         @content_encoding, @metadata, @tags, @checksum_algorithm, @encryption)`,
    ),
    get: db.prepare<[string, string, Buffer], UploadRow>('SELECT * FROM uploads WHERE id = ? AND bucket = ? AND key = ?'),
    exists: db.prepare<[string], number>('SELECT 1 FROM uploads WHERE id = ?').pluck(),
    remove: db.prepare<[string]>('DELETE FROM uploads WHERE id = ?'),
    removeParts: db.prepare<[string], { blob: string }>('DELETE FROM upload_parts WHERE upload_id = ? RETURNING blob'),
    part: db.prepare<[string, number], UploadPartRow>('SELECT * FROM upload_parts WHERE upload_id = ? AND part_number = ?'),
    putPart: db.prepare<[UploadPartRow]>(
      `INSERT OR REPLACE INTO upload_parts (upload_id, part_number, blob, size, etag, last_modified, checksums)
       VALUES (@upload_id, @part_number, @blob, @size, @etag, @last_modified, @checksums)`,
    ),
    parts: db.prepare<[string, number, number], UploadPartRow>(
      'SELECT * FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
    ),
    allParts: db.prepare<[string], UploadPartRow>('SELECT * FROM upload_parts WHERE upload_id = ? ORDER BY part_number'),
    scan: db.prepare<[string, Buffer, string, Buffer, Buffer], UploadListRow>(
      `SELECT id, key, initiated FROM uploads WHERE bucket = ? AND ((key = ? AND id > ?) OR key > ?) AND key < ?
       ORDER BY key, id`,
    ),
    inBucket: db.prepare<[string], { id: string }>('SELECT id FROM uploads WHERE bucket = ?'),
    olderThan: db.prepare<[number], { id: string }>('SELECT id FROM uploads WHERE initiated < ?'),
  };
}

export class UploadRows {
  private readonly sql: ReturnType<typeof prepareAll>;

  constructor(db: Database.Database) {
    this.sql = prepareAll(db);
  }

  create(row: UploadRow): void {
    this.sql.insert.run(row);
  }

  /** The upload of this id for this key, or undefined (an upload belongs to its bucket and key). */
  get(id: string, bucket: string, key: Buffer): UploadRow | undefined {
    return this.sql.get.get(id, bucket, key);
  }

  /** Records a part (NoSuchUpload when the upload is gone); returns the blob of the part it replaces. */
  putPart(part: UploadPartRow): string | undefined {
    if (this.sql.exists.get(part.upload_id) === undefined) throw noSuchUpload(part.upload_id);
    const old = this.sql.part.get(part.upload_id, part.part_number);
    this.sql.putPart.run(part);
    return old?.blob;
  }

  /** Parts after `after`, in part-number order, at most `limit`. */
  parts(id: string, after: number, limit: number): UploadPartRow[] {
    return this.sql.parts.all(id, after, limit);
  }

  allParts(id: string): UploadPartRow[] {
    return this.sql.allParts.all(id);
  }

  /** Whether the upload is still open and still has these blobs as the parts read by the caller. */
  stillHas(id: string, chosen: readonly PartBlob[]): boolean {
    if (this.sql.exists.get(id) === undefined) return false;
    const current = new Set(this.allParts(id).map((part) => part.blob));
    return chosen.every((part) => current.has(part.blob));
  }

  /**
   * Uploads of `bucket` in (key, id) order from just after (key, afterId) (afterId '' starts at the key
   * itself), below the key `to`, read lazily.
   */
  scan(bucket: string, key: Buffer, afterId: string, to: Buffer): IterableIterator<UploadListRow> {
    return this.sql.scan.iterate(bucket, key, afterId, key, to);
  }

  /** Deletes an upload and its parts; returns the blobs of the parts (none when it did not exist). */
  delete(id: string): string[] {
    const blobs = this.sql.removeParts.all(id).map((part) => part.blob);
    this.sql.remove.run(id);
    return blobs;
  }

  /** Deletes every upload of a bucket; returns their part blobs. */
  deleteAllIn(bucket: string): string[] {
    return this.sql.inBucket.all(bucket).flatMap(({ id }) => this.delete(id));
  }

  /** Ids of the uploads initiated before `time` (ms since the epoch). */
  initiatedBefore(time: number): string[] {
    return this.sql.olderThan.all(time).map((row) => row.id);
  }
}
