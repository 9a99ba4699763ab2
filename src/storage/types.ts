/**
 * The store contract: what every backend (fs, s3) offers to the HTTP faces.
 *
 * - Names are validated before a store sees them (see names.ts); stores may assume valid input.
 * - Bodies are Node Readables both ways; nothing is buffered whole.
 * - Every call takes an optional AbortSignal so a client that goes away stops the work at the store.
 * - Failures are ServiceError with a stable code (errors/codes.ts): NoSuchBucket, NoSuchKey,
 *   BucketNotEmpty, BucketAlreadyExists, InvalidRange, ServiceUnavailable, AccessDenied, ...
 */
import type { Readable } from 'node:stream';

export interface BucketInfo {
  name: string;
  creationDate: Date;
}

/** Metadata kept with an object and returned by head/get. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Quoted, as S3 sends it: "\"<hex>\"" (MD5 for single-part uploads). */
  etag: string;
  lastModified: Date;
  contentType: string;
  cacheControl?: string | undefined;
  contentDisposition?: string | undefined;
  contentEncoding?: string | undefined;
  /** User metadata, lower-case names without the x-amz-meta- prefix. */
  metadata: Record<string, string>;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  storageClass: string;
  ownerId?: string | undefined;
  ownerDisplayName?: string | undefined;
}

export interface Signal {
  signal?: AbortSignal | undefined;
}

export interface PutObjectOptions extends Signal {
  bucket: string;
  key: string;
  body: Readable;
  contentType?: string | undefined;
  cacheControl?: string | undefined;
  contentDisposition?: string | undefined;
  contentEncoding?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** Known length in bytes, when the caller has one (lets stores pick single-part uploads). */
  contentLength?: number | undefined;
  /** Base64 MD5 the body must have: BadDigest and nothing stored otherwise. */
  contentMd5?: string | undefined;
  /** '*': store only when the key does not exist yet (PreconditionFailed otherwise). */
  ifNoneMatch?: '*' | undefined;
  /** Store only when the current object has this ETag (PreconditionFailed otherwise). */
  ifMatch?: string | undefined;
}

/** An inclusive byte range; `end` omitted means to the end of the object. */
export interface ByteRange {
  start: number;
  end?: number | undefined;
}

export interface GetObjectOptions extends Signal {
  bucket: string;
  key: string;
  range?: ByteRange | undefined;
}

export interface GetObjectResult {
  meta: ObjectMeta;
  body: Readable;
  /**
   * The same bytes as `body`, when the store holds them in memory already (small fs objects): a sender may
   * write them at once instead of piping `body`, which then needs no consuming or destroying.
   */
  bytes?: Buffer | undefined;
  /** The range actually served (clamped to the object), when one was asked for. */
  range?: { start: number; end: number } | undefined;
}

export interface CopyObjectOptions extends Signal {
  sourceBucket: string;
  sourceKey: string;
  bucket: string;
  key: string;
}

export interface ListObjectsOptions extends Signal {
  bucket: string;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  /** List keys strictly after this one (ignored when a continuation token is given). */
  startAfter?: string | undefined;
  /** Opaque token from a previous page's `nextContinuationToken`. */
  continuationToken?: string | undefined;
  /** At most this many keys + common prefixes in the page (1..1000, default 1000). */
  maxKeys?: number | undefined;
}

export interface ListObjectsResult {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string | undefined;
}

/** Room left for writes, for stores that live on a disk (fs): what readiness and metrics report. */
export interface StoreSpace {
  /** Bytes free on the store's file system. */
  freeBytes: number;
  /** Size of that file system. */
  totalBytes: number;
  /** Writes that would leave fewer free bytes than this are refused (507); deletes still go through. */
  minFreeBytes: number;
  /** full: writes are refused; low: free space is within one more floor of that; ok: neither. */
  state: 'ok' | 'low' | 'full';
}

export interface ObjectStore {
  /** A short name for logs and health reports ("fs", "s3"). */
  readonly kind: string;

  listBuckets(opts?: Signal): Promise<BucketInfo[]>;
  /** Throws BucketAlreadyExists when it exists. */
  createBucket(bucket: string, opts?: Signal): Promise<void>;
  /** Throws NoSuchBucket when absent. */
  headBucket(bucket: string, opts?: Signal): Promise<BucketInfo>;
  /** Throws NoSuchBucket or BucketNotEmpty. */
  deleteBucket(bucket: string, opts?: Signal): Promise<void>;

  /** Stores the whole body or nothing; the new object replaces any old one atomically. */
  putObject(opts: PutObjectOptions): Promise<ObjectMeta>;
  /** Throws NoSuchBucket, NoSuchKey, or InvalidRange (start past the end). */
  getObject(opts: GetObjectOptions): Promise<GetObjectResult>;
  headObject(bucket: string, key: string, opts?: Signal): Promise<ObjectMeta>;
  /** Returns whether the key existed. Throws NoSuchBucket when the bucket is absent. */
  deleteObject(bucket: string, key: string, opts?: Signal): Promise<boolean>;
  copyObject(opts: CopyObjectOptions): Promise<ObjectMeta>;
  listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult>;

  /** Cheap round trip proving the store answers (for readiness). */
  ping(opts?: Signal): Promise<void>;
  /** Its room for writes, from figures it keeps (no I/O); absent for stores without a disk of their own. */
  space?(): StoreSpace | undefined;
  /** Releases files, sockets and timers. */
  close(): Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_LIST_KEYS = 1000;
