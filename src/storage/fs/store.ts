/**
 * The fs store's ObjectStore: rows in meta.sqlite (db.ts), bytes in immutable blob files (blobs.ts).
 *
 * Write path: stream the body into a new blob (fsync'ed when durable) → commit the row naming it through
 * the grouped commit queue (replacing any old row atomically) → unlink the replaced blob. A crash at any
 * point leaves either the old row and blob or the new ones, plus at worst an unreferenced blob that the
 * start-up sweep removes. Readers open the blob named by the row they read and stream from that handle,
 * so a concurrent replace cannot tear what they send. Objects up to INLINE_MAX skip the blob file: their
 * bytes are committed with the row (inline.ts).
 *
 * Room: every write (bucket, object, copy) is admitted against the free-space floor before it writes a byte
 * (space.ts) and refused with 507 below it; deletes are not, and are committed even on a full disk.
 */
import { createHash } from 'node:crypto';
import { addAbortSignal, Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { noSuchBucket, noSuchKey } from '../../errors/not-found.js';
import {
  DEFAULT_CONTENT_TYPE,
  type BucketInfo,
  type CopyObjectOptions,
  type GetObjectOptions,
  type GetObjectResult,
  type ListObjectsOptions,
  type ListObjectsResult,
  type ObjectMeta,
  type ObjectStore,
  type PutObjectOptions,
  type BucketOptions,
  type ObjectOptions,
  type Signal,
  type StoreCapabilities,
  type StoreSpace,
  type Tags,
  type TaggingOptions,
  type CreateMultipartOptions,
  type UploadPartOptions,
  type PartInfo,
  type UploadPartCopyOptions,
  type ListPartsOptions,
  type ListPartsResult,
  type ListUploadsOptions,
  type ListUploadsResult,
  type CompleteMultipartOptions,
  type UploadOptions,
} from '../types.js';
import { notYet } from '../not-yet.js';
import { IO_BUFFER, type BlobFiles } from './blobs.js';
import { NotDurable, type CommitQueue } from './commits.js';
import type { BucketRow, MetaDb, ObjectRow, RowWithData } from './db.js';
import { INLINE_MAX, readSmall } from './inline.js';
import { listPage } from './listing.js';
import type { DiskSpace } from './space.js';
import { checkContentMd5, checkPutPreconditions, hasPreconditions } from '../preconditions.js';
import { servedRange } from '../ranges.js';

/** Give up on a key whose blob keeps vanishing between reading its row and opening it (constant overwrites). */
const MAX_RACES = 100;

function toMeta(row: ObjectRow): ObjectMeta {
  return {
    key: row.key.toString('utf8'),
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    contentType: row.content_type,
    cacheControl: row.cache_control ?? undefined,
    contentDisposition: row.content_disposition ?? undefined,
    contentEncoding: row.content_encoding ?? undefined,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
  };
}

/** The bytes of an inline object's row. */
function inlineBytes(row: RowWithData): Buffer {
  if (!row.data) throw new ServiceError('InternalError', `The data of "${row.key.toString('utf8')}" is missing from the fs store.`);
  return row.data;
}

export interface FsStoreParts {
  db: MetaDb;
  commits: CommitQueue;
  blobs: BlobFiles;
  space: DiskSpace;
  /** The start-up sweep of orphan blobs (recovery.ts). */
  recovered: Promise<{ removed: number }>;
  /** Asks the sweep to stop early (on close). */
  stopRecovery: () => void;
}

export class FsStore implements ObjectStore {
  readonly kind = 'fs';
  // '.' cannot start a bucket name (names.ts): no face can even name it
  readonly capabilities: StoreCapabilities = { checksums: [], privateBucket: '.s3gate-system' };
  /** Settles when the start-up sweep is done; tests await it. */
  readonly recovered: Promise<{ removed: number }>;
  private readonly db: MetaDb;
  private readonly commits: CommitQueue;
  private readonly blobs: BlobFiles;
  private readonly room: DiskSpace;
  private readonly stopRecovery: () => void;
  private readonly unlinks = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(parts: FsStoreParts) {
    this.db = parts.db;
    this.commits = parts.commits;
    this.blobs = parts.blobs;
    this.room = parts.space;
    this.recovered = parts.recovered;
    this.stopRecovery = parts.stopRecovery;
  }

  async listBuckets(opts: Signal): Promise<BucketInfo[]> {
    this.check(opts);
    return this.db.listBuckets().map((b) => ({ name: b.name, creationDate: new Date(b.created_at) }));
  }

  async createBucket(opts: BucketOptions): Promise<void> {
    const { bucket } = opts;
    this.check(opts);
    await this.room.admit(0, true);
    const now = Date.now();
    await this.commits.enqueue(() => this.db.createBucket(bucket, now));
  }

  async headBucket(opts: BucketOptions): Promise<BucketInfo> {
    this.check(opts);
    const row = this.requireBucket(opts.bucket);
    return { name: row.name, creationDate: new Date(row.created_at) };
  }

  async deleteBucket(opts: BucketOptions): Promise<void> {
    this.check(opts);
    await this.commits.enqueue(() => this.db.deleteBucket(opts.bucket), 'delete');
  }

  async putObject(opts: PutObjectOptions): Promise<ObjectMeta> {
    const key = Buffer.from(opts.key, 'utf8');
    // preconditions are checked before streaming (to fail fast) and again atomically at commit
    const preconditions = () => checkPutPreconditions(this.db.getObject(opts.bucket, key)?.etag, opts);
    try {
      this.check(opts);
      this.requireBucket(opts.bucket);
      if (hasPreconditions(opts)) preconditions();
      // a body of unknown length may be small enough for a row; a larger one is admitted as it is written
      await this.room.admit(opts.contentLength ?? 0, (opts.contentLength ?? 0) <= INLINE_MAX);
    } catch (err) {
      opts.body.destroy();
      throw err;
    }
    const written = await this.writeBytes(opts);
    const row: ObjectRow = {
      bucket: opts.bucket,
      key,
      blob: written.blob,
      inline_id: null,
      size: written.size,
      etag: written.etag,
      last_modified: Date.now(),
      content_type: opts.contentType || DEFAULT_CONTENT_TYPE,
      cache_control: opts.cacheControl ?? null,
      content_disposition: opts.contentDisposition ?? null,
      content_encoding: opts.contentEncoding ?? null,
      metadata: JSON.stringify(opts.metadata ?? {}),
    };
    const check = () => {
      checkContentMd5(opts.contentMd5, written.etag.slice(1, -1));
      if (hasPreconditions(opts)) preconditions();
    };
    return this.commitNewRow(row, written.inline, opts.signal, check);
  }

  async getObject(opts: GetObjectOptions): Promise<GetObjectResult> {
    this.check(opts);
    for (let race = 0; ; race++) {
      const row = this.requireObjectWithData(opts.bucket, opts.key);
      const version = { etag: row.etag, lastModified: new Date(row.last_modified), size: row.size };
      const range = servedRange(version, opts.range, opts.rangeIf);
      const start = range?.start ?? 0;
      const end = range?.end ?? row.size - 1;
      if (row.blob === null) {
        // read with the row, so both belong to the same committed version; nothing to cancel in memory
        const bytes = inlineBytes(row).subarray(start, end + 1);
        return { meta: toMeta(row), body: Readable.from([bytes]), bytes, range };
      }
      const fh = await this.blobs.openRead(row.blob);
      if (!fh) {
        this.assertReplaced(row, race);
        continue;
      }
      // a read buffer no larger than the object: a full MiB per small GET was most of the GC work
      const highWaterMark = Math.max(1, Math.min(IO_BUFFER, end - start + 1));
      // ends at the row's last byte rather than at EOF, without one more read to find it; an empty blob
      // (schema v1 kept even those in files) has no last byte
      const body = fh.createReadStream({ start, end: row.size > 0 ? end : undefined, highWaterMark });
      if (opts.signal) addAbortSignal(opts.signal, body);
      return { meta: toMeta(row), body, range };
    }
  }

  async headObject(opts: ObjectOptions): Promise<ObjectMeta> {
    this.check(opts);
    return toMeta(this.requireObject(opts.bucket, opts.key));
  }

  async deleteObject(opts: ObjectOptions): Promise<boolean> {
    const { bucket, key } = opts;
    this.check(opts);
    this.requireBucket(bucket);
    const keyBytes = Buffer.from(key, 'utf8');
    const removed = await this.commits.enqueue(() => this.db.deleteObject(bucket, keyBytes), 'delete');
    if (removed.blob) this.unlinkLater(removed.blob);
    else if (removed.existed) this.room.freed(); // its pages in meta.sqlite are free for new rows
    return removed.existed;
  }

  async copyObject(opts: CopyObjectOptions): Promise<ObjectMeta> {
    this.check(opts);
    for (let race = 0; ; race++) {
      const source = this.requireObjectWithData(opts.sourceBucket, opts.sourceKey);
      this.requireBucket(opts.bucket);
      const { data: _bytes, ...row } = source;
      const copy = { ...row, bucket: opts.bucket, key: Buffer.from(opts.key, 'utf8'), last_modified: Date.now() };
      await this.room.admit(source.size, source.blob === null);
      if (source.blob === null) return this.commitNewRow(copy, inlineBytes(source), opts.signal);
      this.room.wrote(source.size);
      const id = await this.blobs.copy(source.blob);
      if (!id) {
        this.assertReplaced(source, race);
        continue;
      }
      return this.commitNewRow({ ...copy, blob: id }, undefined, opts.signal);
    }
  }

  async listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult> {
    this.check(opts);
    this.requireBucket(opts.bucket);
    return listPage(this.db, opts);
  }

  async getObjectTagging(_opts: ObjectOptions): Promise<Tags> {
    throw notYet('getObjectTagging');
  }
  async putObjectTagging(_opts: TaggingOptions): Promise<void> {
    throw notYet('putObjectTagging');
  }
  async deleteObjectTagging(_opts: ObjectOptions): Promise<void> {
    throw notYet('deleteObjectTagging');
  }
  async createMultipartUpload(_opts: CreateMultipartOptions): Promise<{ uploadId: string }> {
    throw notYet('createMultipartUpload');
  }
  async uploadPart(opts: UploadPartOptions): Promise<PartInfo> {
    opts.body.destroy();
    throw notYet('uploadPart');
  }
  async uploadPartCopy(_opts: UploadPartCopyOptions): Promise<PartInfo> {
    throw notYet('uploadPartCopy');
  }
  async listParts(_opts: ListPartsOptions): Promise<ListPartsResult> {
    throw notYet('listParts');
  }
  async listMultipartUploads(_opts: ListUploadsOptions): Promise<ListUploadsResult> {
    throw notYet('listMultipartUploads');
  }
  async completeMultipartUpload(_opts: CompleteMultipartOptions): Promise<ObjectMeta> {
    throw notYet('completeMultipartUpload');
  }
  async abortMultipartUpload(_opts: UploadOptions): Promise<void> {
    throw notYet('abortMultipartUpload');
  }

  async ping(opts: Signal): Promise<void> {
    this.check(opts);
    this.db.ping();
  }

  space(): StoreSpace {
    return this.room.snapshot();
  }

  /** Stops the sweep, commits what is queued, waits for pending unlinks, closes the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopRecovery();
      await this.recovered.catch(() => undefined);
      await this.commits.close();
      await new Promise(setImmediate); // let the callers just answered schedule their unlinks
      while (this.unlinks.size > 0) await Promise.all(this.unlinks);
      await this.room.close();
      this.db.close();
    })();
    return this.closing;
  }

  /** The body into a blob file, or kept in memory when small enough to be stored inline. */
  private async writeBytes(opts: PutObjectOptions): Promise<{ blob: string | null; inline?: Buffer; size: number; etag: string }> {
    const mayBeSmall = opts.contentLength === undefined || opts.contentLength <= INLINE_MAX;
    const small = mayBeSmall ? await readSmall(opts.body, opts.signal) : undefined;
    if (small && 'data' in small) {
      const { data } = small;
      if (opts.contentLength !== undefined && data.length !== opts.contentLength) {
        throw new ServiceError('IncompleteBody', `The body was ${data.length} bytes long; ${opts.contentLength} were announced.`);
      }
      return { blob: null, inline: data, size: data.length, etag: `"${createHash('md5').update(data).digest('hex')}"` };
    }
    const blob = await this.blobs.write(opts.body, opts, small?.started);
    return { blob: blob.id, size: blob.size, etag: blob.etag };
  }

  /**
   * Commits a new row whose bytes are a freshly written blob file (row.blob) or `inline`; when the commit
   * fails the blob file is deleted. `check` runs inside the commit, before the write: what it throws refuses
   * this row alone.
   */
  private async commitNewRow(
    row: ObjectRow,
    inline: Buffer | undefined,
    signal: AbortSignal | undefined,
    check: () => void = () => undefined,
  ): Promise<ObjectMeta> {
    const blob = row.blob;
    try {
      signal?.throwIfAborted();
      const replaced = await this.commits.enqueue(() => {
        check();
        return this.db.putObject({ ...row, blob: inline ? null : blob }, inline);
      });
      if (replaced.blob) this.unlinkLater(replaced.blob);
      if (inline) this.room.wrote(inline.length, true);
      return toMeta(row);
    } catch (err) {
      // not when committed: the row names the blob
      if (blob && !(err instanceof NotDurable)) await this.blobs.remove(blob).catch(() => undefined);
      throw err;
    } finally {
      if (blob) this.blobs.release(blob);
    }
  }

  private unlinkLater(id: string): void {
    const done = this.blobs
      .remove(id)
      .catch(() => undefined) // a leftover is an orphan: the next start-up sweep removes it
      .finally(() => this.unlinks.delete(done));
    this.unlinks.add(done);
  }

  /** After a blob vanished under us: fine if its row changed meanwhile (retry); not if it still names it. */
  private assertReplaced(row: ObjectRow, race: number): void {
    const now = this.db.getObject(row.bucket, row.key);
    const key = row.key.toString('utf8');
    if (now?.blob === row.blob) {
      throw new ServiceError('InternalError', `The data of "${key}" is missing from the fs store.`);
    }
    if (race >= MAX_RACES) {
      throw new ServiceError('ServiceUnavailable', `"${key}" is being replaced too often to be read; try again.`);
    }
  }

  private requireObject(bucket: string, key: string): ObjectRow {
    return this.db.getObject(bucket, Buffer.from(key, 'utf8')) ?? this.noSuchKey(bucket, key);
  }

  /** The row with, for an inline object, its bytes. */
  private requireObjectWithData(bucket: string, key: string): RowWithData {
    return this.db.getObjectWithData(bucket, Buffer.from(key, 'utf8')) ?? this.noSuchKey(bucket, key);
  }

  private noSuchKey(bucket: string, key: string): never {
    this.requireBucket(bucket);
    throw noSuchKey(bucket, key);
  }

  private requireBucket(bucket: string): BucketRow {
    const row = this.db.getBucket(bucket);
    if (!row) throw noSuchBucket(bucket);
    return row;
  }

  private check(opts: Signal | undefined): void {
    if (this.closing) throw new ServiceError('ServiceUnavailable', 'The fs store is closed.');
    opts?.signal?.throwIfAborted();
  }
}
