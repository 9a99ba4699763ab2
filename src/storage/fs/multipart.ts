/**
 * Multipart uploads of the fs store. A part is streamed into a blob file as a PUT body is (fdatasync'ed when
 * durable) and committed as an upload_parts row before the call answers; the part it replaces is unlinked
 * after that commit. Completion checks the list against S3's rules and commits, in one transaction, an object
 * row whose bytes are the chosen part blobs (object_parts): nothing is copied. Uploads older than the expiry
 * are aborted by the store's timer. An encrypted upload has one data key, made when it is created: every
 * part is encrypted under it (each part file with its own IV) and the object takes it over on completion.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { noSuchBucket } from '../../errors/not-found.js';
import { compositeChecksum, isChecksumAlgorithm, type ChecksumSet } from '../checksums.js';
import { checkPutPreconditions, hasPreconditions, sameEtag } from '../preconditions.js';
import { multipartEtag } from '../multipart-etag.js';
import { checkSourceConditions } from '../source-conditions.js';
import {
  MAX_PARTS,
  MIN_PART_SIZE,
  type BodyIntegrity,
  type ChecksumAlgorithm,
  type Checksums,
  type CompleteMultipartOptions,
  type CreateMultipartOptions,
  type ListPartsOptions,
  type ListPartsResult,
  type ListUploadsOptions,
  type ListUploadsResult,
  type ObjectMeta,
  type PartInfo,
  type Signal,
  type UploadOptions,
  type UploadPartCopyOptions,
  type UploadPartOptions,
  type EncryptionInfo,
} from '../types.js';
import type { BlobFiles } from './blobs.js';
import type { CommitQueue } from './commits.js';
import type { BucketRow, MetaDb, ObjectRow } from './db.js';
import { columnOf, infoOfColumn, type FsEncryption } from './encryption.js';
import { checkBody, digestsFor, fromColumn, toColumn } from './integrity.js';
import { pageSize } from './listing.js';
import { bytesOf, type Located } from './pieces.js';
import { headerColumns, headersOf, toMeta } from './rows.js';
import type { DiskSpace } from './space.js';
import { noSuchUpload, type PartBlob, type UploadPartRow, type UploadRow } from './uploads-db.js';
import { listUploadsPage } from './uploads-listing.js';

/** What the multipart operations use of the store. */
export interface FsInternals {
  db: MetaDb;
  commits: CommitQueue;
  blobs: BlobFiles;
  room: DiskSpace;
  check(opts: Signal): void;
  requireBucket(bucket: string): BucketRow;
  locateObject(bucket: string, key: string): Located;
  discardLater(ids: readonly string[]): void;
  crypt: FsEncryption;
}

/** Commits the completed object; false when the upload or one of its chosen parts changed meanwhile. */
export type CommitCompletion = (row: ObjectRow, parts: PartBlob[], check: () => void) => Promise<boolean>;

/** Completions retried when a part is uploaded again while the list is checked, before giving up. */
const COMPLETE_TRIES = 3;

let lastIdTime = 0;

/**
 * A new upload id: 12 hex digits of the time it was made (strictly increasing in this process), then 20
 * random ones, so that ids sort in initiation order, as ListMultipartUploads lists them.
 */
function newUploadId(now: number): string {
  lastIdTime = Math.max(now, lastIdTime + 1);
  return lastIdTime.toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
}

function partInfo(part: UploadPartRow): PartInfo {
  return {
    partNumber: part.part_number,
    etag: part.etag,
    size: part.size,
    lastModified: new Date(part.last_modified),
    checksums: fromColumn<Checksums>(part.checksums),
  };
}

function algorithmOf(upload: UploadRow): ChecksumAlgorithm | undefined {
  const algorithm = upload.checksum_algorithm;
  return algorithm !== null && isChecksumAlgorithm(algorithm) ? algorithm : undefined;
}

/** The upload's parts that `listed` names, checked as S3 checks a completion. */
function choose(upload: UploadRow, listed: CompleteMultipartOptions['parts'], stored: UploadPartRow[]): UploadPartRow[] {
  if (listed.length === 0) throw new ServiceError('MalformedXML', 'A completion must list at least one part.');
  if (listed.length > MAX_PARTS) throw new ServiceError('InvalidArgument', `A completion may list at most ${MAX_PARTS} parts.`);
  const byNumber = new Map(stored.map((part) => [part.part_number, part]));
  const algorithm = algorithmOf(upload);
  const chosen = listed.map((want, i) => {
    const previous = listed[i - 1];
    if (previous && want.partNumber <= previous.partNumber) {
      throw new ServiceError('InvalidPartOrder', 'The parts of a completion must be listed in ascending order of part number, each once.');
    }
    const part = byNumber.get(want.partNumber);
    const wantedChecksum = algorithm ? want.checksums?.[algorithm] : undefined;
    const checksum = algorithm ? fromColumn<Checksums>(part?.checksums ?? null)?.[algorithm] : undefined;
    if (!part || !sameEtag(part.etag, want.etag) || (wantedChecksum !== undefined && wantedChecksum !== checksum)) {
      throw new ServiceError('InvalidPart', `Part ${want.partNumber} was not uploaded, or its ETag or checksum is not ${want.etag}.`);
    }
    return part;
  });
  chosen.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_SIZE) {
      throw new ServiceError('EntityTooSmall', `Part ${part.part_number} is ${part.size} bytes long; every part but the last needs ${MIN_PART_SIZE}.`);
    }
  });
  return chosen;
}


export class Multipart {
  constructor(
    private readonly fs: FsInternals,
    private readonly expiryMs: number,
  ) {}

  async create(opts: CreateMultipartOptions): Promise<{ uploadId: string; encryption?: EncryptionInfo | undefined }> {
    const { db } = this.fs;
    this.fs.check(opts);
    this.fs.requireBucket(opts.bucket);
    const sealed = this.fs.crypt.seal(opts.bucket, opts.encryption);
    await this.fs.room.admit(0, true);
    const now = Date.now();
    const row: UploadRow = {
      id: newUploadId(now),
      bucket: opts.bucket,
      key: Buffer.from(opts.key, 'utf8'),
      initiated: now,
      ...headerColumns(opts),
      tags: toColumn(opts.tags),
      checksum_algorithm: opts.checksumAlgorithm ?? null,
      encryption: columnOf(sealed),
    };
    await this.fs.commits.enqueue(() => {
      if (!db.getBucket(row.bucket)) throw noSuchBucket(row.bucket);
      db.uploads.create(row);
    });
    return { uploadId: row.id, encryption: infoOfColumn(row.encryption) };
  }

  async uploadPart(opts: UploadPartOptions): Promise<PartInfo> {
    let upload: UploadRow;
    let dataKey: Buffer | undefined;
    try {
      upload = this.requireUpload(opts);
      dataKey = this.fs.crypt.open(upload.encryption, opts.customerKey);
    } catch (err) {
      opts.body.destroy();
      throw err;
    }
    return this.storePart(upload, opts, opts.body, opts, dataKey);
  }

  async uploadPartCopy(opts: UploadPartCopyOptions): Promise<PartInfo> {
    const upload = this.requireUpload(opts);
    const dataKey = this.fs.crypt.open(upload.encryption, opts.customerKey);
    const source = this.fs.locateObject(opts.sourceBucket, opts.sourceKey);
    try {
      const sourceKey = this.fs.crypt.open(source.row.encryption, opts.sourceCustomerKey);
      checkSourceConditions(toMeta(source.row), opts.sourceConditions);
      const size = source.row.size;
      const range = opts.sourceRange ?? { start: 0, end: size - 1 };
      if (opts.sourceRange && (range.start < 0 || range.end < range.start || range.end >= size)) {
        throw new ServiceError('InvalidRange', `The range ${range.start}-${range.end} is not within the ${size} bytes of the copy source.`);
      }
      const body = bytesOf(this.fs.blobs, source, range.start, range.end, sourceKey);
      return await this.storePart(upload, opts, body, { contentLength: Math.max(0, range.end - range.start + 1) }, dataKey);
    } finally {
      source.release();
    }
  }

  async listParts(opts: ListPartsOptions): Promise<ListPartsResult> {
    const upload = this.requireUpload(opts);
    const max = pageSize(opts.maxParts, 'maxParts');
    const rows = this.fs.db.uploads.parts(upload.id, opts.partNumberMarker ?? 0, max + 1);
    const parts = rows.slice(0, max).map(partInfo);
    const truncated = rows.length > max;
    return {
      parts,
      isTruncated: truncated,
      nextPartNumberMarker: truncated ? parts.at(-1)?.partNumber : undefined,
      initiated: new Date(upload.initiated),
      checksumAlgorithm: algorithmOf(upload),
    };
  }

  async listUploads(opts: ListUploadsOptions): Promise<ListUploadsResult> {
    this.fs.check(opts);
    this.fs.requireBucket(opts.bucket);
    return listUploadsPage(this.fs.db, opts);
  }

  async complete(opts: CompleteMultipartOptions, commit: CommitCompletion): Promise<ObjectMeta> {
    const { db } = this.fs;
    const key = Buffer.from(opts.key, 'utf8');
    const preconditions = () => checkPutPreconditions(db.getObject(opts.bucket, key)?.etag, opts);
    for (let attempt = 1; attempt <= COMPLETE_TRIES; attempt++) {
      const upload = this.requireUpload(opts);
      this.fs.crypt.open(upload.encryption, opts.customerKey); // an SSE-C upload is completed with its key
      const chosen = choose(upload, opts.parts, db.uploads.allParts(upload.id));
      if (hasPreconditions(opts)) preconditions();
      const algorithm = algorithmOf(upload);
      const partValues = algorithm ? chosen.map((part) => fromColumn<Checksums>(part.checksums)?.[algorithm] ?? '') : [];
      const row: ObjectRow = {
        bucket: opts.bucket,
        key,
        blob: null,
        inline_id: null,
        parts_count: chosen.length,
        size: chosen.reduce((sum, part) => sum + part.size, 0),
        etag: multipartEtag(chosen.map((part) => part.etag.slice(1, -1))),
        last_modified: Date.now(),
        ...headersOf(upload),
        checksums: algorithm ? toColumn({ [algorithm]: await compositeChecksum(algorithm, partValues) }) : null,
        tags: upload.tags,
        encryption: upload.encryption,
      };
      const parts = chosen.map((part) => ({ blob: part.blob, size: part.size }));
      if (await commit(row, parts, preconditions)) return toMeta(row);
    }
    throw new ServiceError('InvalidPart', 'The parts of the upload kept changing while it was being completed; try again.');
  }

  async abort(opts: UploadOptions): Promise<void> {
    const upload = this.requireUpload(opts);
    const { db } = this.fs;
    const blobs = await this.fs.commits.enqueue(() => {
      if (!db.uploads.get(upload.id, upload.bucket, upload.key)) throw noSuchUpload(upload.id);
      return db.uploads.delete(upload.id);
    }, 'delete');
    this.fs.discardLater(blobs);
  }

  /** Aborts the uploads initiated before the expiry; returns how many. */
  async expire(): Promise<number> {
    if (this.expiryMs <= 0) return 0;
    const { db } = this.fs;
    const ids = db.uploads.initiatedBefore(Date.now() - this.expiryMs);
    if (ids.length === 0) return 0;
    const blobs = await this.fs.commits.enqueue(() => ids.flatMap((id) => db.uploads.delete(id)), 'delete');
    this.fs.discardLater(blobs);
    return ids.length;
  }

  /**
   * Streams a part's bytes into a new blob, checks them, and commits the part (replacing one of the same
   * number). Parts of an upload made with a checksum algorithm get that checksum, computed when not given.
   */
  private async storePart(
    upload: UploadRow,
    opts: UploadOptions & { partNumber: number },
    body: Readable,
    integrity: BodyIntegrity & { contentLength?: number | undefined },
    dataKey: Buffer | undefined,
  ): Promise<PartInfo> {
    const { blobs, db } = this.fs;
    let digests: ChecksumSet | undefined;
    try {
      digests = digestsFor(integrity, algorithmOf(upload));
      await this.fs.room.admit(integrity.contentLength ?? 0);
    } catch (err) {
      body.destroy();
      throw err;
    }
    const written = await blobs.write(body, {
      signal: opts.signal,
      contentLength: integrity.contentLength,
      digests,
      dataKey,
      plainMd5: integrity.contentMd5 !== undefined,
    });
    return blobs.settle([written.id], async () => {
      const checksums = await checkBody(integrity, written.plainMd5 ?? written.etag.slice(1, -1), digests);
      const part: UploadPartRow = {
        upload_id: upload.id,
        part_number: opts.partNumber,
        blob: written.id,
        size: written.size,
        etag: written.etag,
        last_modified: Date.now(),
        checksums: toColumn(checksums),
      };
      opts.signal?.throwIfAborted();
      const replaced = await this.fs.commits.enqueue(() => db.uploads.putPart(part));
      if (replaced) this.fs.discardLater([replaced]);
      return { ...partInfo(part), encryption: infoOfColumn(upload.encryption) };
    });
  }

  /** The upload named by the call: NoSuchBucket, then NoSuchUpload. */
  private requireUpload(opts: UploadOptions): UploadRow {
    this.fs.check(opts);
    this.fs.requireBucket(opts.bucket);
    return this.fs.db.uploads.get(opts.uploadId, opts.bucket, Buffer.from(opts.key, 'utf8')) ?? throwNoSuchUpload(opts.uploadId);
  }
}

function throwNoSuchUpload(uploadId: string): never {
  throw noSuchUpload(uploadId);
}
