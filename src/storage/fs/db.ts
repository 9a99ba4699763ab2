/**
 * meta.sqlite: the fs store's index of buckets and objects (better-sqlite3, synchronous calls).
 *
 * - WAL with locking_mode=EXCLUSIVE: the lock is taken at open and held until close, so a second process on
 *   the same data dir fails at once (busy timeout 0) instead of corrupting it; no -shm file is used.
 * - synchronous=NORMAL: a COMMIT writes its WAL frames without waiting for the disk. When durable, the
 *   grouped commit then awaits syncWal() (an fdatasync off the event loop, wal-sync.ts) before answering.
 * - Object keys are stored as BLOBs of their UTF-8 bytes, so the primary key orders them in UTF-8 byte order
 *   (memcmp) and a prefix is a key range. Both tables are WITHOUT ROWID: a listing is one clustered range scan.
 * - Mutating methods (createBucket, deleteBucket, putObject, deleteObject) run inside the grouped commit
 *   (commits.ts). They check first and write last, so when they throw a ServiceError they have changed nothing.
 */
import Database from 'better-sqlite3';
import { ServiceError } from '../../errors/codes.js';
import { noSuchBucket } from '../../errors/not-found.js';
import { WalSync } from './wal-sync.js';

export const SCHEMA_VERSION = 2;

const OBJECTS_TABLE = (name: string) => `
CREATE TABLE ${name} (
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  blob TEXT,
  inline_id INTEGER,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  cache_control TEXT,
  content_disposition TEXT,
  content_encoding TEXT,
  metadata TEXT NOT NULL,
  PRIMARY KEY (bucket, key),
  CHECK ((blob IS NULL) <> (inline_id IS NULL))
) WITHOUT ROWID;`;

const INLINE_AND_INDEX = `
CREATE INDEX objects_blob ON objects (blob);
CREATE TABLE inline_data (
  id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
PRAGMA user_version = ${SCHEMA_VERSION};`;

const SCHEMA = `
CREATE TABLE buckets (
  name TEXT NOT NULL PRIMARY KEY,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
${OBJECTS_TABLE('objects')}
${INLINE_AND_INDEX}
`;

/** Version 1 had every object in a blob file (no inline_id, blob NOT NULL): rebuild the table, keep the rows. */
const MIGRATE_FROM_1 = `
${OBJECTS_TABLE('objects_v2')}
INSERT INTO objects_v2 (bucket, key, blob, inline_id, size, etag, last_modified, content_type,
    cache_control, content_disposition, content_encoding, metadata)
  SELECT bucket, key, blob, NULL, size, etag, last_modified, content_type,
    cache_control, content_disposition, content_encoding, metadata FROM objects;
DROP TABLE objects;
ALTER TABLE objects_v2 RENAME TO objects;
${INLINE_AND_INDEX}
`;

export interface BucketRow {
  name: string;
  created_at: number;
}

/**
 * One object, as stored. Times are milliseconds since the epoch; metadata is a JSON object of strings.
 * Its bytes are either in a blob file (`blob`) or, for small objects, in the inline_data table (`inline_id`).
 */
export interface ObjectRow {
  bucket: string;
  key: Buffer;
  blob: string | null;
  inline_id: number | null;
  size: number;
  etag: string;
  last_modified: number;
  content_type: string;
  cache_control: string | null;
  content_disposition: string | null;
  content_encoding: string | null;
  metadata: string;
}

/** A row with, for an inline object, its bytes (null for a blob-file object). */
export type RowWithData = ObjectRow & { data: Buffer | null };

export type ListRow = Pick<ObjectRow, 'key' | 'size' | 'etag' | 'last_modified'>;

type Key = [bucket: string, key: Buffer];
type Storage = Pick<ObjectRow, 'blob' | 'inline_id'>;

/** What a put or delete did to the key's previous version. */
export interface Replaced {
  /** There was a previous version. */
  existed: boolean;
  /** Its blob file, now unreferenced: the caller unlinks it after the commit. */
  blob?: string | undefined;
}
type Range = [bucket: string, from: Buffer, to: Buffer];

function prepareAll(db: Database.Database) {
  return {
    bucket: db.prepare<[string], BucketRow>('SELECT name, created_at FROM buckets WHERE name = ?'),
    buckets: db.prepare<[], BucketRow>('SELECT name, created_at FROM buckets ORDER BY name'),
    insertBucket: db.prepare<[string, number]>('INSERT INTO buckets (name, created_at) VALUES (?, ?)'),
    deleteBucket: db.prepare<[string]>('DELETE FROM buckets WHERE name = ?'),
    anyObject: db.prepare<[string], number>('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').pluck(),
    object: db.prepare<Key, ObjectRow>('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
    objectWithData: db.prepare<Key, RowWithData>(
      'SELECT o.*, d.data FROM objects o LEFT JOIN inline_data d ON d.id = o.inline_id WHERE o.bucket = ? AND o.key = ?',
    ),
    storageOf: db.prepare<Key, Storage>('SELECT blob, inline_id FROM objects WHERE bucket = ? AND key = ?'),
    upsert: db.prepare<[ObjectRow]>(
      `INSERT OR REPLACE INTO objects (bucket, key, blob, inline_id, size, etag, last_modified, content_type,
         cache_control, content_disposition, content_encoding, metadata)
       VALUES (@bucket, @key, @blob, @inline_id, @size, @etag, @last_modified, @content_type,
         @cache_control, @content_disposition, @content_encoding, @metadata)`,
    ),
    deleteObject: db.prepare<Key, Storage>('DELETE FROM objects WHERE bucket = ? AND key = ? RETURNING blob, inline_id'),
    insertInline: db.prepare<[Buffer]>('INSERT INTO inline_data (data) VALUES (?)'),
    deleteInline: db.prepare<[number]>('DELETE FROM inline_data WHERE id = ?'),
    referenced: db.prepare<[string], number>('SELECT 1 FROM objects WHERE blob = ? LIMIT 1').pluck(),
    scan: db.prepare<Range, ListRow>(
      'SELECT key, size, etag, last_modified FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key',
    ),
    ping: db.prepare<[], number>('SELECT 1').pluck(),
  };
}

export class MetaDb {
  private readonly sql: ReturnType<typeof prepareAll>;

  private constructor(
    private readonly db: Database.Database,
    /** Present when durable. */
    private readonly wal: WalSync | undefined,
  ) {
    this.sql = prepareAll(db);
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
      const version = db.pragma('user_version', { simple: true });
      if (version === 0) db.exec(SCHEMA);
      else if (version === 1) db.exec(MIGRATE_FROM_1);
      else if (version !== SCHEMA_VERSION) {
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

  deleteBucket(name: string): void {
    if (!this.getBucket(name)) throw noSuchBucket(name);
    if (this.sql.anyObject.get(name) !== undefined) {
      throw new ServiceError('BucketNotEmpty', `The bucket "${name}" is not empty.`);
    }
    this.sql.deleteBucket.run(name);
  }

  getObject(bucket: string, key: Buffer): ObjectRow | undefined {
    return this.sql.object.get(bucket, key);
  }

  /** The row and, for an inline object, its bytes (one lookup: what a small GET costs). */
  getObjectWithData(bucket: string, key: Buffer): RowWithData | undefined {
    return this.sql.objectWithData.get(bucket, key);
  }

  /**
   * Inserts or replaces the row; `data` stores the bytes inline (the row's blob must then be null).
   * Inline bytes of the replaced version go in the same transaction; a replaced blob file is returned.
   */
  putObject(row: ObjectRow, data?: Buffer): Replaced {
    if (!this.getBucket(row.bucket)) throw noSuchBucket(row.bucket);
    const replaced = this.release(this.sql.storageOf.get(row.bucket, row.key));
    const inlineId = data ? Number(this.sql.insertInline.run(data).lastInsertRowid) : null;
    this.sql.upsert.run({ ...row, inline_id: inlineId });
    return replaced;
  }

  /** Deletes the row (and its inline bytes); says whether it existed and which blob file to unlink. */
  deleteObject(bucket: string, key: Buffer): Replaced {
    if (!this.getBucket(bucket)) throw noSuchBucket(bucket);
    return this.release(this.sql.deleteObject.get(bucket, key));
  }

  private release(old: Storage | undefined): Replaced {
    if (!old) return { existed: false };
    if (old.inline_id !== null) this.sql.deleteInline.run(old.inline_id);
    return { existed: true, blob: old.blob ?? undefined };
  }

  isBlobReferenced(id: string): boolean {
    return this.sql.referenced.get(id) !== undefined;
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
