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
 * Encryption at rest (encryption.ts, ../encryption/): an encrypted object's row keeps its wrapped data key;
 * its blob files (or inline bytes) hold a fresh IV and the AES-256-CTR ciphertext. Copies to or from an
 * encrypted object stream the plaintext into a new encrypted write; only clear-to-clear copies reflink.
 *
 * Room: every write (bucket, object, copy) is admitted against the free-space floor before it writes a byte
 * (space.ts) and refused with 507 below it; deletes are not, and are committed even on a full disk.
 */
import { createHash, type Cipher } from 'node:crypto';
import { addAbortSignal, Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { noSuchBucket, noSuchKey } from '../../errors/not-found.js';
import type { ChecksumSet } from '../checksums.js';
import { checkSourceConditions } from '../source-conditions.js';
import { encryptor, IV_BYTES, newIv, NO_KEYS, type KeyRing, type SealedKey } from '../encryption/index.js';
import {
  type BucketEncryption,
  CHECKSUM_ALGORITHMS,
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
  type BucketCorsOptions,
  type BucketTaggingOptions,
  type CorsRule,
  type BucketEncryptionOptions,
  type HeadObjectOptions,
  type EncryptionInfo,
} from '../types.js';
import { IO_BUFFER, type BlobFiles } from './blobs.js';
import { BucketSettings } from './bucket-settings.js';
import type { CommitQueue } from './commits.js';
import type { BucketRow, MetaDb, NewContent, ObjectRow, RowWithData } from './db.js';
import { columnOf, FsEncryption } from './encryption.js';
import { INLINE_MAX, readSmall } from './inline.js';
import { checkBody, digestsFor, fromColumn, toColumn } from './integrity.js';
import { listPage } from './listing.js';
import { Multipart, type FsInternals } from './multipart.js';
import { bytesOf, locate, partSpan, type Located } from './pieces.js';
import { headerColumns, headersOf, toMeta } from './rows.js';
import type { DiskSpace } from './space.js';
import { checkPutPreconditions, hasPreconditions } from '../preconditions.js';
import { servedRange } from '../ranges.js';

/** Give up on a key whose blob keeps vanishing between reading its row and opening it (constant overwrites). */
const MAX_RACES = 100;

/** Part `partNumber` of an object uploaded whole: all of it, the only part it has. */
function singlePart(row: ObjectRow, partNumber: number): { start: number; end: number } | undefined {
  if (partNumber !== 1) invalidPartNumber(partNumber, 1);
  return row.size > 0 ? { start: 0, end: row.size - 1 } : undefined;
}

function invalidPartNumber(partNumber: number, count: number): never {
  throw new ServiceError('InvalidPartNumber', `The object has ${count} part${count === 1 ? '' : 's'}; part ${partNumber} does not exist.`);
}

/** A pinned blob is gone: something outside the store deleted it. */
function vanished(key: string): never {
  throw new ServiceError('InternalError', `The data of "${key}" is missing from the fs store.`);
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
  /** Uploads initiated longer ago than this are aborted (0: never). */
  uploadExpiryMs: number;
  /** The keys of SSE-S3 and SSE-KMS; without any, only SSE-C is offered. */
  keyRing?: KeyRing | undefined;
}

/** What a write streams into a blob file or keeps for an inline row. */
interface WriteRequest {
  body: Readable;
  contentLength?: number | undefined;
  signal?: AbortSignal | undefined;
  digests?: ChecksumSet | undefined;
  /** Encrypt under this data key. */
  dataKey?: Buffer | undefined;
  /** Also compute the plaintext MD5 of encrypted bytes (to check a Content-MD5). */
  plainMd5?: boolean | undefined;
}

interface WrittenBytes {
  blob: string | null;
  inline?: Buffer;
  size: number;
  etag: string;
  /** The MD5 hex of the plaintext: what a Content-MD5 is checked against. */
  md5: string;
}

/** An inline object's stored data: its bytes, or for an encrypted one a fresh IV and their ciphertext. */
function inlineData(data: Buffer, dataKey: Buffer | undefined): Buffer {
  if (!dataKey) return data;
  const iv = newIv();
  const cipher: Cipher = encryptor(dataKey, iv);
  return Buffer.concat([iv, cipher.update(data)]);
}

/** How often abandoned uploads are looked for: often enough for the expiry, at most hourly. */
function expiryInterval(expiryMs: number): number {
  return Math.min(Math.max(expiryMs / 4, 1000), 3_600_000);
}

const SELF_COPY =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata or checksum.";

export class FsStore implements ObjectStore {
  readonly kind = 'fs';
  // '.' cannot start a bucket name (names.ts): no face can even name the private bucket
  readonly capabilities: StoreCapabilities;
  /** Settles when the start-up sweep is done; tests await it. */
  readonly recovered: Promise<{ removed: number }>;
  private readonly db: MetaDb;
  private readonly commits: CommitQueue;
  private readonly blobs: BlobFiles;
  private readonly room: DiskSpace;
  private readonly stopRecovery: () => void;
  private readonly unlinks = new Set<Promise<void>>();
  private readonly multipart: Multipart;
  private readonly settings: BucketSettings;
  private readonly crypt: FsEncryption;
  private readonly expiryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(parts: FsStoreParts) {
    this.db = parts.db;
    this.commits = parts.commits;
    this.blobs = parts.blobs;
    this.room = parts.space;
    this.recovered = parts.recovered;
    this.stopRecovery = parts.stopRecovery;
    this.crypt = new FsEncryption(parts.keyRing ?? NO_KEYS, this.db);
    this.capabilities = { checksums: CHECKSUM_ALGORITHMS, encryption: this.crypt.modes, privateBucket: '.s3gate-system' };
    const internals: FsInternals = {
      db: this.db,
      commits: this.commits,
      blobs: this.blobs,
      room: this.room,
      check: (opts) => this.check(opts),
      requireBucket: (bucket) => this.requireBucket(bucket),
      locateObject: (bucket, key) => this.locateObject(bucket, key),
      discardLater: (ids) => this.discardLater(ids),
      crypt: this.crypt,
    };
    this.multipart = new Multipart(internals, parts.uploadExpiryMs);
    this.settings = new BucketSettings({ db: this.db, commits: this.commits, room: this.room, ring: this.crypt.ring, check: (opts) => this.check(opts) });
    if (parts.uploadExpiryMs > 0) {
      this.expiryTimer = setInterval(() => void this.expireUploads().catch(() => undefined), expiryInterval(parts.uploadExpiryMs));
      this.expiryTimer.unref();
      void this.expireUploads().catch(() => undefined); // those abandoned while the store was stopped
    }
  }

  /** Aborts the uploads older than the expiry; returns how many. The store's timer calls it. */
  expireUploads(): Promise<number> {
    if (this.closing) return Promise.resolve(0);
    return this.multipart.expire();
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
    this.discardLater(await this.commits.enqueue(() => this.db.deleteBucket(opts.bucket), 'delete'));
  }

  async putObject(opts: PutObjectOptions): Promise<ObjectMeta> {
    const key = Buffer.from(opts.key, 'utf8');
    // preconditions are checked before streaming (to fail fast) and again atomically at commit
    const preconditions = () => checkPutPreconditions(this.db.getObject(opts.bucket, key)?.etag, opts);
    let digests: ChecksumSet | undefined;
    let sealed: SealedKey | undefined;
    try {
      this.check(opts);
      this.requireBucket(opts.bucket);
      if (hasPreconditions(opts)) preconditions();
      digests = digestsFor(opts);
      sealed = this.crypt.seal(opts.bucket, opts.encryption);
      // a body of unknown length may be small enough for a row; a larger one is admitted as it is written
      await this.room.admit(opts.contentLength ?? 0, (opts.contentLength ?? 0) <= INLINE_MAX);
    } catch (err) {
      opts.body.destroy();
      throw err;
    }
    const written = await this.writeBytes({ ...opts, digests, dataKey: sealed?.dek, plainMd5: opts.contentMd5 !== undefined });
    return this.blobs.settle(written.blob ? [written.blob] : [], async () => {
      const checksums = await checkBody(opts, written.md5, digests);
      const row: ObjectRow = {
        bucket: opts.bucket,
        key,
        blob: written.blob,
        inline_id: null,
        parts_count: null,
        size: written.size,
        etag: written.etag,
        last_modified: Date.now(),
        ...headerColumns(opts),
        checksums: toColumn(checksums),
        tags: toColumn(opts.tags),
        encryption: columnOf(sealed),
      };
      const check = () => {
        if (hasPreconditions(opts)) preconditions();
      };
      return this.commitNewRow(row, written.inline ? { inline: written.inline } : undefined, opts.signal, check);
    });
  }

  async getObject(opts: GetObjectOptions): Promise<GetObjectResult> {
    this.check(opts);
    for (let race = 0; ; race++) {
      const row = this.requireObjectWithData(opts.bucket, opts.key);
      const dataKey = this.crypt.open(row.encryption, opts.customerKey);
      // encrypted bytes are read through the pieces, which know the IV at the start of each
      if (row.parts_count !== null || dataKey) return this.getParts(row, opts, dataKey);
      const version = { etag: row.etag, lastModified: new Date(row.last_modified), size: row.size };
      const range = opts.partNumber !== undefined ? singlePart(row, opts.partNumber) : servedRange(version, opts.range, opts.rangeIf);
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

  async headObject(opts: HeadObjectOptions): Promise<ObjectMeta> {
    this.check(opts);
    const row = this.requireObject(opts.bucket, opts.key);
    this.crypt.open(row.encryption, opts.customerKey); // an SSE-C object's metadata needs its key too
    if (opts.partNumber === undefined) return toMeta(row);
    if (row.parts_count === null) {
      const span = singlePart(row, opts.partNumber);
      return { ...toMeta(row), size: span ? span.end - span.start + 1 : 0 };
    }
    const parts = this.db.objectParts(row.bucket, row.key);
    const part = parts[opts.partNumber - 1] ?? invalidPartNumber(opts.partNumber, parts.length);
    return { ...toMeta(row), size: part.size };
  }

  /** A read of a multipart object: whole, a range across its parts, or one part. */
  private getParts(row: RowWithData, opts: GetObjectOptions, dataKey: Buffer | undefined): GetObjectResult {
    const located = locate(this.db, this.blobs, row);
    try {
      const meta = toMeta(row);
      let range: { start: number; end: number } | undefined;
      if (opts.partNumber !== undefined) {
        range = partSpan(located, opts.partNumber) ?? invalidPartNumber(opts.partNumber, row.parts_count ?? 1);
        if (range.end < range.start) range = undefined; // an empty part
      } else range = servedRange({ ...meta, size: row.size }, opts.range, opts.rangeIf);
      const body = bytesOf(this.blobs, located, range?.start ?? 0, range?.end ?? row.size - 1, dataKey);
      body.once('close', located.release);
      if (opts.signal) addAbortSignal(opts.signal, body);
      return { meta, body, range };
    } catch (err) {
      located.release();
      throw err;
    }
  }

  async deleteObject(opts: ObjectOptions): Promise<boolean> {
    const { bucket, key } = opts;
    this.check(opts);
    this.requireBucket(bucket);
    const keyBytes = Buffer.from(key, 'utf8');
    const removed = await this.commits.enqueue(() => this.db.deleteObject(bucket, keyBytes), 'delete');
    if (removed.blobs.length > 0) this.discardLater(removed.blobs);
    else if (removed.existed) this.room.freed(); // its pages in meta.sqlite are free for new rows
    return removed.existed;
  }

  async copyObject(opts: CopyObjectOptions): Promise<ObjectMeta> {
    this.check(opts);
    const replace = opts.metadataDirective === 'REPLACE';
    const self = opts.sourceBucket === opts.bucket && opts.sourceKey === opts.key;
    if (self && !replace && !opts.checksumAlgorithm && !opts.encryption) throw new ServiceError('InvalidRequest', SELF_COPY);
    const source = this.locateObject(opts.sourceBucket, opts.sourceKey);
    try {
      const { row } = source;
      const sourceKey = this.crypt.open(row.encryption, opts.sourceCustomerKey);
      this.requireBucket(opts.bucket);
      checkSourceConditions(toMeta(row), opts.sourceConditions);
      const sealed = this.crypt.seal(opts.bucket, opts.encryption);
      const key = Buffer.from(opts.key, 'utf8');
      const preconditions = () => checkPutPreconditions(this.db.getObject(opts.bucket, key)?.etag, opts);
      if (hasPreconditions(opts)) preconditions();
      const { data: _bytes, ...stored } = row;
      const copy: ObjectRow = {
        ...stored,
        ...(replace ? headerColumns(opts.headers ?? {}) : headersOf(row)),
        bucket: opts.bucket,
        key,
        last_modified: Date.now(),
        checksums: row.checksums,
        tags: opts.taggingDirective === 'REPLACE' ? toColumn(opts.tags) : row.tags,
        encryption: null,
      };
      if (sourceKey || sealed) return await this.copyThroughPlaintext(source, copy, sourceKey, sealed, opts, preconditions);
      if (opts.checksumAlgorithm) {
        copy.checksums = toColumn(await this.checksumOf(source, digestsFor({ checksumAlgorithm: opts.checksumAlgorithm }) as ChecksumSet));
      }
      const inline = row.blob === null && row.parts_count === null;
      await this.room.admit(row.size, inline);
      if (inline) return await this.commitNewRow(copy, { inline: inlineBytes(row) }, opts.signal, preconditions);
      this.room.wrote(row.size);
      const copies: string[] = [];
      return await this.blobs.settle(copies, async () => {
        for (const piece of source.pieces) copies.push((await this.blobs.copy(piece.blob)) ?? vanished(opts.sourceKey));
        const pieces = source.pieces.map((piece, i) => ({ blob: copies[i] as string, size: piece.size }));
        if (row.parts_count !== null) return this.commitNewRow({ ...copy, blob: null }, { parts: pieces }, opts.signal, preconditions);
        return this.commitNewRow({ ...copy, blob: copies[0] ?? null }, undefined, opts.signal, preconditions);
      });
    } finally {
      source.release();
    }
  }

  /**
   * A copy from or to encrypted bytes: the source's plaintext streamed into a new write under the
   * destination's data key (or none), never its ciphertext under a key it was not written with.
   */
  private async copyThroughPlaintext(
    source: Located,
    copy: ObjectRow,
    sourceKey: Buffer | undefined,
    sealed: SealedKey | undefined,
    opts: CopyObjectOptions,
    preconditions: () => void,
  ): Promise<ObjectMeta> {
    const { size } = source.row;
    const digests = opts.checksumAlgorithm ? digestsFor({ checksumAlgorithm: opts.checksumAlgorithm }) : undefined;
    await this.room.admit(size + (sealed ? IV_BYTES : 0), size <= INLINE_MAX);
    const body = bytesOf(this.blobs, source, 0, size - 1, sourceKey);
    const written = await this.writeBytes({ body, contentLength: size, signal: opts.signal, digests, dataKey: sealed?.dek });
    return this.blobs.settle(written.blob ? [written.blob] : [], async () => {
      const checksums = digests ? toColumn(await digests.finish()) : copy.checksums;
      const row: ObjectRow = {
        ...copy,
        blob: written.blob,
        inline_id: null,
        parts_count: null,
        etag: written.etag,
        checksums,
        encryption: columnOf(sealed),
      };
      return this.commitNewRow(row, written.inline ? { inline: written.inline } : undefined, opts.signal, preconditions);
    });
  }

  /** The checksums of a located object's bytes. */
  private async checksumOf(source: Located, digests: ChecksumSet) {
    for await (const chunk of bytesOf(this.blobs, source, 0, source.row.size - 1)) digests.update(chunk as Buffer);
    return digests.finish();
  }

  async listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult> {
    this.check(opts);
    this.requireBucket(opts.bucket);
    return listPage(this.db, opts);
  }

  async getObjectTagging(opts: ObjectOptions): Promise<Tags> {
    this.check(opts);
    return fromColumn<Tags>(this.requireObject(opts.bucket, opts.key).tags) ?? {};
  }

  async putObjectTagging(opts: TaggingOptions): Promise<void> {
    await this.setTags(opts, opts.tags);
  }

  async deleteObjectTagging(opts: ObjectOptions): Promise<void> {
    await this.setTags(opts, undefined);
  }

  private async setTags(opts: ObjectOptions, tags: Tags | undefined): Promise<void> {
    this.check(opts);
    this.requireObject(opts.bucket, opts.key);
    const key = Buffer.from(opts.key, 'utf8');
    await this.commits.enqueue(() => this.db.setTags(opts.bucket, key, toColumn(tags)), tags ? 'write' : 'delete');
  }

  getBucketCors(opts: BucketOptions): Promise<CorsRule[]> {
    return this.settings.getCors(opts);
  }

  putBucketCors(opts: BucketCorsOptions): Promise<void> {
    return this.settings.putCors(opts);
  }

  deleteBucketCors(opts: BucketOptions): Promise<void> {
    return this.settings.deleteCors(opts);
  }

  getBucketTagging(opts: BucketOptions): Promise<Tags> {
    return this.settings.getTags(opts);
  }

  putBucketTagging(opts: BucketTaggingOptions): Promise<void> {
    return this.settings.putTags(opts);
  }

  deleteBucketTagging(opts: BucketOptions): Promise<void> {
    return this.settings.deleteTags(opts);
  }

  getBucketEncryption(opts: BucketOptions): Promise<BucketEncryption> {
    return this.settings.getEncryption(opts);
  }

  putBucketEncryption(opts: BucketEncryptionOptions): Promise<void> {
    return this.settings.putEncryption(opts);
  }

  deleteBucketEncryption(opts: BucketOptions): Promise<void> {
    return this.settings.deleteEncryption(opts);
  }

  createMultipartUpload(opts: CreateMultipartOptions): Promise<{ uploadId: string; encryption?: EncryptionInfo | undefined }> {
    return this.multipart.create(opts);
  }

  uploadPart(opts: UploadPartOptions): Promise<PartInfo> {
    return this.multipart.uploadPart(opts);
  }

  uploadPartCopy(opts: UploadPartCopyOptions): Promise<PartInfo> {
    return this.multipart.uploadPartCopy(opts);
  }

  async listParts(opts: ListPartsOptions): Promise<ListPartsResult> {
    return this.multipart.listParts(opts);
  }

  async listMultipartUploads(opts: ListUploadsOptions): Promise<ListUploadsResult> {
    return this.multipart.listUploads(opts);
  }

  completeMultipartUpload(opts: CompleteMultipartOptions): Promise<ObjectMeta> {
    return this.multipart.complete(opts, (row, parts, check) => this.commitCompletion(row, parts, opts, check));
  }

  abortMultipartUpload(opts: UploadOptions): Promise<void> {
    return this.multipart.abort(opts);
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
      clearInterval(this.expiryTimer);
      await this.recovered.catch(() => undefined);
      await this.commits.close();
      await new Promise(setImmediate); // let the callers just answered schedule their unlinks
      while (this.unlinks.size > 0) await Promise.all(this.unlinks);
      await this.room.close();
      this.db.close();
    })();
    return this.closing;
  }

  /** The body into a blob file, or kept in memory when small enough to be stored inline; encrypted when asked. */
  private async writeBytes(opts: WriteRequest): Promise<WrittenBytes> {
    const { digests, dataKey } = opts;
    const mayBeSmall = opts.contentLength === undefined || opts.contentLength <= INLINE_MAX;
    const small = mayBeSmall ? await readSmall(opts.body, opts.signal) : undefined;
    if (small && 'data' in small) {
      const { data } = small;
      if (opts.contentLength !== undefined && data.length !== opts.contentLength) {
        throw new ServiceError('IncompleteBody', `The body was ${data.length} bytes long; ${opts.contentLength} were announced.`);
      }
      digests?.update(data);
      const stored = inlineData(data, dataKey);
      const etag = createHash('md5').update(stored).digest('hex');
      const md5 = dataKey && opts.plainMd5 ? createHash('md5').update(data).digest('hex') : etag;
      return { blob: null, inline: stored, size: data.length, etag: `"${etag}"`, md5 };
    }
    const blob = await this.blobs.write(opts.body, opts, small?.started);
    return { blob: blob.id, size: blob.size, etag: blob.etag, md5: blob.plainMd5 ?? blob.etag.slice(1, -1) };
  }

  /**
   * Commits a new row whose bytes are in blob files named by the row or by `content`, or inline in `content`.
   * The caller removes new blob files when this fails (BlobFiles.settle). `check` runs inside the commit,
   * before the write: what it throws refuses this row alone.
   */
  private async commitNewRow(
    row: ObjectRow,
    content: NewContent,
    signal: AbortSignal | undefined,
    check: () => void = () => undefined,
  ): Promise<ObjectMeta> {
    signal?.throwIfAborted();
    const inline = content && 'inline' in content ? content.inline : undefined;
    const replaced = await this.commits.enqueue(() => {
      check();
      return this.db.putObject({ ...row, blob: content ? null : row.blob }, content);
    });
    this.discardLater(replaced.blobs);
    if (inline) this.room.wrote(inline.length, true);
    return toMeta({ ...row, parts_count: content && 'parts' in content ? content.parts.length : null });
  }

  /** The commit of a completion (multipart.ts decides what it is): the replaced version's blobs go after it. */
  private async commitCompletion(row: ObjectRow, parts: Parameters<MetaDb['completeUpload']>[1], opts: CompleteMultipartOptions, check: () => void) {
    const done = await this.commits.enqueue(() => this.db.completeUpload(opts.uploadId, parts, row, check));
    if (done) this.discardLater([...done.replaced.blobs, ...done.dropped]);
    return done !== undefined;
  }

  private discardLater(ids: readonly string[]): void {
    for (const id of ids) {
      const done = this.blobs
        .discard(id)
        .catch(() => undefined) // a leftover is an orphan: the next start-up sweep removes it
        .finally(() => this.unlinks.delete(done));
      this.unlinks.add(done);
    }
  }

  /** The object's row with its blob files pinned until `release`: NoSuchKey, NoSuchBucket. */
  private locateObject(bucket: string, key: string): Located {
    return locate(this.db, this.blobs, this.requireObjectWithData(bucket, key));
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
