/**
 * meta.sqlite: the fs store's index of buckets and objects (better-sqlite3, synchronous calls).
 *
 * - WAL with locking_mode=EXCLUSIVE: the lock is taken at open and held until close, so a second process on
 *   the same data dir fails at once (busy timeout 0) instead of corrupting it; no -shm file is used.
 * - synchronous=NORMAL: a COMMIT writes its WAL frames without waiting for the disk. When durable, the
 *   grouped commit then awaits syncWal() (an fdatasync off the event loop, wal-sync.ts) before answering.
 * - Object keys are stored as BLOBs of their UTF-8 bytes, so the primary key orders them in UTF-8 byte order
 *   (memcmp) and a prefix is a key range. Both tables are WITHOUT ROWID: a listing is one clustered range scan.
 * - Mutating methods (createBucket, deleteBucket, setBucketSetting, putObject, deleteObject, setTags,
 *   completeUpload, and those of UploadRows) run inside the grouped commit (commits.ts). They check first and write last, so when they throw a ServiceError they have changed nothing.
 */
import Database from 'better-sqlite3';
import { ServiceError } from '../../errors/codes.js';
import { noSuchBucket, noSuchKey } from '../../errors/not-found.js';
import { ensureSchema, SCHEMA_VERSION } from './schema.js';
import { UploadRows, type PartBlob } from './uploads-db.js';
import { WalSync } from './wal-sync.js';

export { SCHEMA_VERSION } from './schema.js';

export interface BucketRow {
  name: string;
  created_at: number;
}

/** A bucket's settings as stored: JSON, or null for none. */
export interface BucketSettingsRow {
  /** A JSON array of CORS rules (the contract's CorsRule). */
  cors: string | null;
  /** A JSON object of tags. */
  tags: string | null;
  /** The default encryption of its objects (the contract's BucketEncryption), as JSON. */
  encryption: string | null;
}

/** The settings a bucket row holds, each a column of it. */
export type BucketSetting = keyof BucketSettingsRow;

/**
 * One object, as stored. Times are milliseconds since the epoch; metadata is a JSON object of strings.
 * Its bytes are in a blob file (`blob`), for small objects in the inline_data table (`inline_id`), or for a
 * multipart object in the blob files of its `parts_count` object_parts rows.
 */
export interface ObjectRow {
  bucket: string;
  key: Buffer;
  blob: string | null;
  inline_id: number | null;
  parts_count: number | null;
  size: number;
  etag: string;
  last_modified: number;
  content_type: string;
  cache_control: string | null;
  content_disposition: string | null;
  content_encoding: string | null;
  metadata: string;
  /** JSON object of base64 digests by algorithm, or null for none. */
  checksums: string | null;
  /** JSON object of tags, or null for none. */
  tags: string | null;
  /** JSON EncryptionRecord (its wrapped data key), or null for bytes stored in the clear. */
  encryption: string | null;
}

/** A row with, for an inline object, its bytes (null for a blob-file object). */
export type RowWithData = ObjectRow & { data: Buffer | null };

export type ListRow = Pick<ObjectRow, 'key' | 'size' | 'etag' | 'last_modified'>;

type Key = [bucket: string, key: Buffer];
type Storage = Pick<ObjectRow, 'blob' | 'inline_id' | 'parts_count'>;

/** What a put or delete did to the key's previous version. */
export interface Replaced {
  /** There was a previous version. */
  existed: boolean;
  /** Its blob files, now unreferenced: the caller unlinks them after the commit. */
  blobs: string[];
}

/** Where the bytes of a new row are, besides a blob file named by the row itself. */
export type NewContent = { inline: Buffer } | { parts: readonly PartBlob[] } | undefined;
type Range = [bucket: string, from: Buffer, to: Buffer];

function prepareAll(db: Database.Database) {
  return {
    bucket: db.prepare<[string], BucketRow>('SELECT name, created_at FROM buckets WHERE name = ?'),
    buckets: db.prepare<[], BucketRow>('SELECT name, created_at FROM buckets ORDER BY name'),
    insertBucket: db.prepare<[string, number]>('INSERT INTO buckets (name, created_at) VALUES (?, ?)'),
    deleteBucket: db.prepare<[string]>('DELETE FROM buckets WHERE name = ?'),
    bucketSettings: db.prepare<[string], BucketSettingsRow>('SELECT cors, tags, encryption FROM buckets WHERE name = ?'),
    setCors: db.prepare<[string | null, string]>('UPDATE buckets SET cors = ? WHERE name = ?'),
    setBucketTags: db.prepare<[string | null, string]>('UPDATE buckets SET tags = ? WHERE name = ?'),
    setBucketEncryption: db.prepare<[string | null, string]>('UPDATE buckets SET encryption = ? WHERE name = ?'),
    anyObject: db.prepare<[string], number>('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').pluck(),
    object: db.prepare<Key, ObjectRow>('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
    objectWithData: db.prepare<Key, RowWithData>(
      'SELECT o.*, d.data FROM objects o LEFT JOIN inline_data d ON d.id = o.inline_id WHERE o.bucket = ? AND o.key = ?',
    ),
    storageOf: db.prepare<Key, Storage>('SELECT blob, inline_id, parts_count FROM objects WHERE bucket = ? AND key = ?'),
    upsert: db.prepare<[ObjectRow]>(
      `INSERT OR REPLACE INTO objects (bucket, key, blob, inline_id, parts_count, size, etag, last_modified,
         content_type, cache_control, content_disposition, content_encoding, metadata, checksums, tags, encryption)
       VALUES (@bucket, @key, @blob, @inline_id, @parts_count, @size, @etag, @last_modified,
         @content_type, @cache_control, @content_disposition, @content_encoding, @metadata, @checksums, @tags, @encryption)`,
    ),
    deleteObject: db.prepare<Key, Storage>('DELETE FROM objects WHERE bucket = ? AND key = ? RETURNING blob, inline_id, parts_count'),
    setTags: db.prepare<[string | null, string, Buffer]>('UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?'),
    parts: db.prepare<Key, PartBlob>('SELECT blob, size FROM object_parts WHERE bucket = ? AND key = ? ORDER BY part'),
    insertPart: db.prepare<[string, Buffer, number, string, number]>(
      'INSERT INTO object_parts (bucket, key, part, blob, size) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteParts: db.prepare<Key, { blob: string }>('DELETE FROM object_parts WHERE bucket = ? AND key = ? RETURNING blob'),
    insertInline: db.prepare<[Buffer]>('INSERT INTO inline_data (data) VALUES (?)'),
    deleteInline: db.prepare<[number]>('DELETE FROM inline_data WHERE id = ?'),
    referenced: db.prepare<[string, string, string], number>(
      `SELECT 1 WHERE EXISTS (SELECT 1 FROM objects WHERE blob = ?) OR EXISTS (SELECT 1 FROM object_parts WHERE blob = ?)
         OR EXISTS (SELECT 1 FROM upload_parts WHERE blob = ?)`,
    ).pluck(),
    scan: db.prepare<Range, ListRow>(
      'SELECT key, size, etag, last_modified FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key',
    ),
    ping: db.prepare<[], number>('SELECT 1').pluck(),
  };
}

export class MetaDb {
  private readonly sql: ReturnType<typeof prepareAll>;
  /** The uploads still open and their parts. */
  readonly uploads: UploadRows;

  private constructor(
    private readonly db: Database.Database,
    /** Present when durable. */
    private readonly wal: WalSync | undefined,
  ) {
    this.sql = prepareAll(db);
    this.uploads = new UploadRows(db);
  }

  /** Opens (creating when new) and locks the database. `dataDir` only serves the error messages. */
  static open(path: string, durable: boolean, dataDir: string): MetaDb {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // An exclusive transaction takes the file lock now; EXCLUSIVE locking mode keeps it until close.
      db.exec('BEGIN EXCLUSIVE');
      const version = Number(db.pragma('user_version', { simple: true }));
      if (!ensureSchema(db, version)) {
        throw new ServiceError(
          'ServiceUnavailable',
          `${path} has schema version ${String(version)}; this build reads version ${SCHEMA_VERSION} only.`,
        );
      }
      db.exec('COMMIT');
      return new MetaDb(db, durable ? WalSync.open(`${path}-wal`) : undefined);
    } catch (err) {
      db?.close();
      if (err instanceof ServiceError) throw err;
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') {
        throw new ServiceError(
          'ServiceUnavailable',
          `The data dir ${dataDir} is in use by another s3gate store (its meta.sqlite is locked).`,
          { cause: err },
        );
      }
      throw new ServiceError('ServiceUnavailable', `Cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Resolves once every transaction committed so far is on disk (at once when not durable). */
  syncWal(): Promise<void> {
    return this.wal ? this.wal.sync() : Promise.resolve();
  }

  /** Runs `fn` in one transaction: all of it is committed, or none of it (when it throws). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getBucket(name: string): BucketRow | undefined {
    return this.sql.bucket.get(name);
  }

  listBuckets(): BucketRow[] {
    return this.sql.buckets.all();
  }

  createBucket(name: string, createdAt: number): void {
    if (this.getBucket(name)) {
      throw new ServiceError('BucketAlreadyExists', `The bucket "${name}" already exists.`);
    }
    this.sql.insertBucket.run(name, createdAt);
  }

  /** Deletes an empty bucket with the uploads still open in it; returns their part blobs to unlink. */
  deleteBucket(name: string): string[] {
    if (!this.getBucket(name)) throw noSuchBucket(name);
    if (this.sql.anyObject.get(name) !== undefined) {
      throw new ServiceError('BucketNotEmpty', `The bucket "${name}" is not empty.`);
    }
    this.sql.deleteBucket.run(name);
    return this.uploads.deleteAllIn(name);
  }

  /** A bucket's settings; undefined when there is no such bucket. */
  getBucketSettings(name: string): BucketSettingsRow | undefined {
    return this.sql.bucketSettings.get(name);
  }

  /** Replaces one setting of a bucket (null: none). */
  setBucketSetting(name: string, setting: BucketSetting, value: string | null): void {
    const statements = { cors: this.sql.setCors, tags: this.sql.setBucketTags, encryption: this.sql.setBucketEncryption };
    const statement = statements[setting];
    if (statement.run(value, name).changes === 0) throw noSuchBucket(name);
  }

  getObject(bucket: string, key: Buffer): ObjectRow | undefined {
    return this.sql.object.get(bucket, key);
  }

  /** The row and, for an inline object, its bytes (one lookup: what a small GET costs). */
  getObjectWithData(bucket: string, key: Buffer): RowWithData | undefined {
    return this.sql.objectWithData.get(bucket, key);
  }

  /** The part blobs of a multipart object, in order. */
  objectParts(bucket: string, key: Buffer): PartBlob[] {
    return this.sql.parts.all(bucket, key);
  }

  /**
   * Inserts or replaces the row, with its bytes inline or as parts (the row's blob must then be null).
   * Inline bytes and parts of the replaced version go in the same transaction; its blob files are returned.
   */
  putObject(row: ObjectRow, content?: NewContent): Replaced {
    if (!this.getBucket(row.bucket)) throw noSuchBucket(row.bucket);
    const replaced = this.release(row.bucket, row.key, this.sql.storageOf.get(row.bucket, row.key));
    const inlineId = content && 'inline' in content ? Number(this.sql.insertInline.run(content.inline).lastInsertRowid) : null;
    const parts = content && 'parts' in content ? content.parts : undefined;
    this.sql.upsert.run({ ...row, inline_id: inlineId, parts_count: parts ? parts.length : null });
    parts?.forEach((part, i) => this.sql.insertPart.run(row.bucket, row.key, i + 1, part.blob, part.size));
    return replaced;
  }

  /** Replaces the tags of an object (null: none). */
  setTags(bucket: string, key: Buffer, tags: string | null): void {
    if (!this.getBucket(bucket)) throw noSuchBucket(bucket);
    if (this.sql.setTags.run(tags, bucket, key).changes === 0) throw noSuchKey(bucket, key.toString('utf8'));
  }

  /**
   * Makes an upload's chosen parts the object `row` (a multipart row naming no blob), in one step: the
   * replaced version's blobs and the upload's parts left out are returned for unlinking. `check` runs first,
   * against the committed state; undefined when the upload is gone or one of its chosen parts changed since
   * the caller read them.
   */
  completeUpload(uploadId: string, chosen: readonly PartBlob[], row: ObjectRow, check: () => void): { replaced: Replaced; dropped: string[] } | undefined {
    if (!this.uploads.stillHas(uploadId, chosen)) return undefined;
    check();
    const replaced = this.putObject(row, { parts: chosen });
    const kept = new Set(chosen.map((part) => part.blob));
    const dropped = this.uploads.delete(uploadId).filter((blob) => !kept.has(blob));
    return { replaced, dropped };
  }

  /** Deletes the row (and its inline bytes); says whether it existed and which blob file to unlink. */
  deleteObject(bucket: string, key: Buffer): Replaced {
    if (!this.getBucket(bucket)) throw noSuchBucket(bucket);
    return this.release(bucket, key, this.sql.deleteObject.get(bucket, key));
  }

  /** Frees what the version being replaced or deleted held in meta.sqlite; returns its blob files. */
  private release(bucket: string, key: Buffer, old: Storage | undefined): Replaced {
    if (!old) return { existed: false, blobs: [] };
    if (old.inline_id !== null) this.sql.deleteInline.run(old.inline_id);
    if (old.parts_count !== null) return { existed: true, blobs: this.sql.deleteParts.all(bucket, key).map((p) => p.blob) };
    return { existed: true, blobs: old.blob ? [old.blob] : [] };
  }

  /** Whether a committed row (an object, an object's part, an upload's part) names this blob file. */
  isBlobReferenced(id: string): boolean {
    return this.sql.referenced.get(id, id, id) !== undefined;
  }

  /** Rows of `bucket` with from <= key < to, in key order, read lazily (stop early with `break`). */
  scan(bucket: string, from: Buffer, to: Buffer): IterableIterator<ListRow> {
    return this.sql.scan.iterate(bucket, from, to);
  }

  /** Writes rows without checks or blobs, in one transaction: for tests and benchmarks that need volume. */
  insertUnchecked(rows: Iterable<ObjectRow>): void {
    this.transaction(() => {
      for (const row of rows) this.sql.upsert.run(row);
    });
  }

  ping(): void {
    this.sql.ping.get();
  }

  /** Bytes of free pages inside meta.sqlite (left by deleted rows): room for new rows without growing the file. */
  spareBytes(): number {
    return Number(this.db.pragma('freelist_count', { simple: true })) * Number(this.db.pragma('page_size', { simple: true }));
  }

  get open(): boolean {
    return this.db.open;
  }

  /** Closes the database; call it once the last syncWal() has settled. */
  close(): void {
    if (!this.db.open) return;
    this.db.close();
    this.wal?.close();
  }
}
