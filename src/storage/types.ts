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
  /**
   * Quoted, as S3 sends it: "\"<hex>\"". The MD5 of a single-part upload made here, but nothing may assume
   * it: a multipart object's is "<hex>-N", and a backend may use another scheme.
   */
  etag: string;
  lastModified: Date;
  contentType: string;
  cacheControl?: string | undefined;
  contentDisposition?: string | undefined;
  contentEncoding?: string | undefined;
  /** User metadata, lower-case names without the x-amz-meta- prefix. */
  metadata: Record<string, string>;
  /** Checksums kept with the object (base64 of the digest), by algorithm; a multipart object's end in `-N`. */
  checksums?: Checksums | undefined;
  /** How many parts a multipart object was assembled from (absent for a single-part object). */
  partsCount?: number | undefined;
  /** How its bytes are encrypted at rest; absent when they are not. */
  encryption?: EncryptionInfo | undefined;
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

export interface BucketOptions extends Signal {
  bucket: string;
}

export interface ObjectOptions extends Signal {
  bucket: string;
  key: string;
}

/** The checksum algorithms S3 clients send (x-amz-checksum-*). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
/** Base64 digests by algorithm. */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

// ---- server-side encryption ----

/**
 * How an object's bytes are encrypted at rest, by S3's names: AES256 (SSE-S3: a key the service holds),
 * aws:kms (SSE-KMS: one of the service's named keys) or SSE-C (a key the client sends with every request).
 */
export const ENCRYPTION_MODES = ['AES256', 'aws:kms', 'SSE-C'] as const;
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];

/** An SSE-C key as a request carries it: 32 bytes, and the base64 MD5 the client gave for them (checked). */
export interface CustomerKey {
  key: Buffer;
  keyMd5: string;
}

/** The encryption a write asks for. */
export type EncryptionRequest =
  | { mode: 'AES256' }
  /** keyId absent: the service's default key. */
  | { mode: 'aws:kms'; keyId?: string | undefined }
  | { mode: 'SSE-C'; customerKey: CustomerKey };

/** How an object (or an upload) is encrypted, as reads report it: never a key. */
export interface EncryptionInfo {
  mode: EncryptionMode;
  /** aws:kms: the id of the key that wraps the object's data key. */
  kmsKeyId?: string | undefined;
  /** SSE-C: the base64 MD5 of the customer's key. */
  customerKeyMd5?: string | undefined;
}

/** A bucket's default encryption: applied to writes that ask for none. */
export type BucketEncryption = { mode: 'AES256' } | { mode: 'aws:kms'; keyId?: string | undefined };

export interface BucketEncryptionOptions extends BucketOptions {
  encryption: BucketEncryption;
}

/** What a write says about its body's integrity: digests it must have, and digests to compute and keep. */
export interface BodyIntegrity {
  /** Base64 MD5 the body must have: BadDigest and nothing stored otherwise. */
  contentMd5?: string | undefined;
  /** Digests the body must have (BadDigest and nothing stored otherwise); each is kept with the object. */
  checksums?: Checksums | undefined;
  /** Compute and keep this algorithm's digest even when no value was given. */
  checksumAlgorithm?: ChecksumAlgorithm | undefined;
}

/** Object tags: at most 10, keys of 1–128 and values of 0–256 characters. */
export type Tags = Record<string, string>;

/** The headers an object is stored with, returned with every read. */
export interface ObjectHeaders {
  contentType?: string | undefined;
  cacheControl?: string | undefined;
  contentDisposition?: string | undefined;
  contentEncoding?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** Conditions on the current object of a key, for a write that would replace it. */
export interface WriteConditions {
  /** '*': write only when the key does not exist yet (PreconditionFailed otherwise). */
  ifNoneMatch?: '*' | undefined;
  /** Write only when the current object has this ETag (PreconditionFailed otherwise). */
  ifMatch?: string | undefined;
}

export interface PutObjectOptions extends ObjectOptions, ObjectHeaders, BodyIntegrity, WriteConditions {
  body: Readable;
  /** Absent: the bucket's default encryption, or none. */
  encryption?: EncryptionRequest | undefined;
  /** Known length in bytes, when the caller has one (lets stores pick single-part uploads). */
  contentLength?: number | undefined;
  tags?: Tags | undefined;
}

/**
 * An inclusive byte range: from `start` to `end` (to the end of the object when omitted), or the last
 * `suffix` bytes (all of them when the object is shorter).
 */
export type ByteRange = { start: number; end?: number | undefined } | { suffix: number };

/** The condition of an If-Range: serve the range only while the object is still this version. */
export type RangeCondition = { etag: string } | { lastModified: Date };

/**
 * Reading an SSE-C object needs its key (InvalidRequest without it, InvalidArgument with another); a key
 * given for an object that is not SSE-C is InvalidRequest.
 */
export interface ReadKey {
  customerKey?: CustomerKey | undefined;
}

export interface HeadObjectOptions extends ObjectOptions, ReadKey {
  partNumber?: number | undefined;
}

export interface GetObjectOptions extends ObjectOptions, ReadKey {
  range?: ByteRange | undefined;
  /** When the object no longer matches, the whole object is served instead of the range. */
  rangeIf?: RangeCondition | undefined;
  /** One part of a multipart object (1-based); a single-part object has only part 1. */
  partNumber?: number | undefined;
}

export interface GetObjectResult {
  meta: ObjectMeta;
  body: Readable;
  /**
   * The same bytes as `body`, when the store holds them in memory already (small fs objects): a sender may
   * write them at once instead of piping `body`, which then needs no consuming or destroying.
   */
  bytes?: Buffer | undefined;
  /** The range actually served (clamped to the object), when a range or a part was asked for and served. */
  range?: { start: number; end: number } | undefined;
}

/** Conditions on a copy's source (x-amz-copy-source-if-*): PreconditionFailed when one fails. */
export interface SourceConditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: Date | undefined;
  ifUnmodifiedSince?: Date | undefined;
}

export interface CopyObjectOptions extends ObjectOptions, WriteConditions {
  sourceBucket: string;
  sourceKey: string;
  sourceConditions?: SourceConditions | undefined;
  /** COPY (the default) keeps the source's headers and metadata; REPLACE stores `headers` instead. */
  metadataDirective?: 'COPY' | 'REPLACE' | undefined;
  headers?: ObjectHeaders | undefined;
  /** COPY (the default) keeps the source's tags; REPLACE stores `tags` instead. */
  taggingDirective?: 'COPY' | 'REPLACE' | undefined;
  tags?: Tags | undefined;
  /** Compute and keep this checksum for the copy. */
  checksumAlgorithm?: ChecksumAlgorithm | undefined;
  /** The copy's encryption; absent: the destination bucket's default, or none (never the source's). */
  encryption?: EncryptionRequest | undefined;
  /** The source's SSE-C key, when it has one. */
  sourceCustomerKey?: CustomerKey | undefined;
}

export interface ListObjectsOptions extends BucketOptions {
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

export interface TaggingOptions extends ObjectOptions {
  tags: Tags;
}

// ---- bucket settings: CORS rules and tags ----

/** The methods a CORS rule may allow: those S3 serves. */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

/**
 * One of a bucket's CORS rules, as S3 has them. Origins and allowed headers may hold one `*` wildcard
 * (`https://*.example.com`, `x-amz-*`, `*`). The lists are sets: a store may give them back in another order
 * (Ceph RGW sorts them); the rules keep theirs, since the first that matches a request decides.
 */
export interface CorsRule {
  id?: string | undefined;
  allowedOrigins: string[];
  allowedMethods: CorsMethod[];
  /** Headers a preflight may ask to send. */
  allowedHeaders: string[];
  /** Response headers a page may read. */
  exposeHeaders: string[];
  /** How long a browser may keep a preflight's answer. */
  maxAgeSeconds?: number | undefined;
}

export interface BucketCorsOptions extends BucketOptions {
  /** 1 to 100 rules, replacing the bucket's. */
  rules: CorsRule[];
}

export interface BucketTaggingOptions extends BucketOptions {
  /** At most 50, replacing the bucket's; none removes them. */
  tags: Tags;
}

// ---- multipart uploads ----

export const MAX_PARTS = 10_000;
/** Every part but the last must be at least this long (EntityTooSmall otherwise). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** No part may be longer (EntityTooLarge). */
export const MAX_PART_SIZE = 5 * 1024 ** 3;

export interface CreateMultipartOptions extends ObjectOptions, ObjectHeaders {
  tags?: Tags | undefined;
  /** Absent: the bucket's default encryption, or none. Every part is encrypted as the upload says. */
  encryption?: EncryptionRequest | undefined;
  /** Every part must then carry this checksum, and the object keeps their composite. */
  checksumAlgorithm?: ChecksumAlgorithm | undefined;
}

export interface UploadOptions extends ObjectOptions {
  uploadId: string;
}

/** Parts, part copies and the completion of an SSE-C upload carry its key (InvalidRequest without, InvalidArgument with another). */
export interface UploadPartOptions extends UploadOptions, BodyIntegrity, ReadKey {
  /** 1..10,000. */
  partNumber: number;
  body: Readable;
  contentLength?: number | undefined;
}

export interface UploadPartCopyOptions extends UploadOptions, ReadKey {
  /** The source's SSE-C key, when it has one. */
  sourceCustomerKey?: CustomerKey | undefined;
  partNumber: number;
  sourceBucket: string;
  sourceKey: string;
  /** The bytes of the source to copy (all of it when absent); must lie within the source. */
  sourceRange?: { start: number; end: number } | undefined;
  sourceConditions?: SourceConditions | undefined;
}

export interface PartInfo {
  partNumber: number;
  /** Quoted MD5 of the part's bytes. */
  etag: string;
  size: number;
  lastModified: Date;
  checksums?: Checksums | undefined;
  /** The upload's encryption (answers of UploadPart and UploadPartCopy report it). */
  encryption?: EncryptionInfo | undefined;
}

export interface ListPartsOptions extends UploadOptions {
  /** List parts after this part number. */
  partNumberMarker?: number | undefined;
  /** 1..1000, default 1000. */
  maxParts?: number | undefined;
}

export interface ListPartsResult {
  parts: PartInfo[];
  isTruncated: boolean;
  nextPartNumberMarker?: number | undefined;
  initiated: Date;
  checksumAlgorithm?: ChecksumAlgorithm | undefined;
}

export interface ListUploadsOptions extends BucketOptions {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  /** With `uploadIdMarker`: list after this (key, upload); alone: list keys after this one. */
  keyMarker?: string | undefined;
  uploadIdMarker?: string | undefined;
  /** 1..1000, default 1000. */
  maxUploads?: number | undefined;
}

export interface UploadSummary {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface ListUploadsResult {
  uploads: UploadSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string | undefined;
  nextUploadIdMarker?: string | undefined;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksums?: Checksums | undefined;
}

export interface CompleteMultipartOptions extends UploadOptions, WriteConditions, ReadKey {
  /** In ascending part-number order (InvalidPartOrder otherwise), each naming an uploaded part's ETag (InvalidPart). */
  parts: CompletedPart[];
}

/** What a store can do beyond the common contract; the conformance suite checks the refusals. */
export interface StoreCapabilities {
  /** Checksum algorithms a PUT or a part may carry; others are refused with NotImplemented. */
  checksums: readonly ChecksumAlgorithm[];
  /** Encryption modes writes may ask for (and buckets default to); others are refused with NotImplemented. */
  encryption: readonly EncryptionMode[];
  /**
   * A bucket the store keeps for the service's own state under a name no caller can give (not a valid
   * bucket name), when it has such room; a store without one gets a configured, ordinary bucket.
   */
  privateBucket?: string | undefined;
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
  readonly capabilities: StoreCapabilities;

  listBuckets(opts: Signal): Promise<BucketInfo[]>;
  /** Throws BucketAlreadyExists when it exists. */
  createBucket(opts: BucketOptions): Promise<void>;
  /** Throws NoSuchBucket when absent. */
  headBucket(opts: BucketOptions): Promise<BucketInfo>;
  /** Throws NoSuchBucket or BucketNotEmpty. Its settings (CORS rules, tags) go with it. */
  deleteBucket(opts: BucketOptions): Promise<void>;

  /** Stores the whole body or nothing; the new object replaces any old one atomically. */
  putObject(opts: PutObjectOptions): Promise<ObjectMeta>;
  /** Throws NoSuchBucket, NoSuchKey, or InvalidRange (start past the end, or an empty suffix). */
  getObject(opts: GetObjectOptions): Promise<GetObjectResult>;
  /** An SSE-C object needs its key for head too. */
  headObject(opts: HeadObjectOptions): Promise<ObjectMeta>;
  /** Returns whether the key existed. Throws NoSuchBucket when the bucket is absent. */
  deleteObject(opts: ObjectOptions): Promise<boolean>;
  copyObject(opts: CopyObjectOptions): Promise<ObjectMeta>;
  listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult>;

  /** Throws NoSuchKey. */
  getObjectTagging(opts: ObjectOptions): Promise<Tags>;
  /** Replaces all of the object's tags. */
  putObjectTagging(opts: TaggingOptions): Promise<void>;
  deleteObjectTagging(opts: ObjectOptions): Promise<void>;

  /** The bucket's CORS rules, in order. Throws NoSuchCORSConfiguration when it has none, NoSuchBucket. */
  getBucketCors(opts: BucketOptions): Promise<CorsRule[]>;
  /** Replaces the bucket's CORS rules. */
  putBucketCors(opts: BucketCorsOptions): Promise<void>;
  /** Removes them; nothing to remove is no error. Throws NoSuchBucket. */
  deleteBucketCors(opts: BucketOptions): Promise<void>;
  /** Throws NoSuchTagSet when the bucket has no tags, NoSuchBucket. */
  getBucketTagging(opts: BucketOptions): Promise<Tags>;
  /** Replaces the bucket's tags; no tags is deleteBucketTagging. */
  putBucketTagging(opts: BucketTaggingOptions): Promise<void>;
  /** Removes them; nothing to remove is no error. Throws NoSuchBucket. */
  deleteBucketTagging(opts: BucketOptions): Promise<void>;
  /** Throws ServerSideEncryptionConfigurationNotFoundError when the bucket has no default, NoSuchBucket. */
  getBucketEncryption(opts: BucketOptions): Promise<BucketEncryption>;
  /** Sets the bucket's default encryption (a mode or key the store cannot use: NotImplemented, KMS.NotFoundException). */
  putBucketEncryption(opts: BucketEncryptionOptions): Promise<void>;
  /** Removes it; nothing to remove is no error. Throws NoSuchBucket. */
  deleteBucketEncryption(opts: BucketOptions): Promise<void>;

  createMultipartUpload(opts: CreateMultipartOptions): Promise<{ uploadId: string; encryption?: EncryptionInfo | undefined }>;
  /** Durable when it answers; a part uploaded again under the same number replaces the earlier one. Throws NoSuchUpload. */
  uploadPart(opts: UploadPartOptions): Promise<PartInfo>;
  uploadPartCopy(opts: UploadPartCopyOptions): Promise<PartInfo>;
  listParts(opts: ListPartsOptions): Promise<ListPartsResult>;
  listMultipartUploads(opts: ListUploadsOptions): Promise<ListUploadsResult>;
  /** The parts become the object, atomically (returned with the upload's encryption); its ETag is the MD5 of the parts' MD5s and `-N`. */
  completeMultipartUpload(opts: CompleteMultipartOptions): Promise<ObjectMeta>;
  /** Throws NoSuchUpload. */
  abortMultipartUpload(opts: UploadOptions): Promise<void>;

  /** Cheap round trip proving the store answers (for readiness). */
  ping(opts: Signal): Promise<void>;
  /** Its room for writes, from figures it keeps (no I/O); absent for stores without a disk of their own. */
  space?(): StoreSpace | undefined;
  /** Releases files, sockets and timers. */
  close(): Promise<void>;
}

/** Every call of the contract that does work for a caller: one options object in, a promise out. */
export type StoreOperation = Exclude<keyof ObjectStore, 'kind' | 'capabilities' | 'close' | 'space'>;

/** The operations by name, for wrappers and metrics; the check below fails to compile when one is missing. */
export const STORE_OPERATIONS = [
  'listBuckets',
  'createBucket',
  'headBucket',
  'deleteBucket',
  'putObject',
  'getObject',
  'headObject',
  'deleteObject',
  'copyObject',
  'listObjects',
  'getObjectTagging',
  'putObjectTagging',
  'deleteObjectTagging',
  'getBucketCors',
  'putBucketCors',
  'deleteBucketCors',
  'getBucketTagging',
  'putBucketTagging',
  'deleteBucketTagging',
  'getBucketEncryption',
  'putBucketEncryption',
  'deleteBucketEncryption',
  'createMultipartUpload',
  'uploadPart',
  'uploadPartCopy',
  'listParts',
  'listMultipartUploads',
  'completeMultipartUpload',
  'abortMultipartUpload',
  'ping',
] as const satisfies readonly StoreOperation[];
type Unlisted = Exclude<StoreOperation, (typeof STORE_OPERATIONS)[number]>;
export const everyOperationListed: [Unlisted] extends [never] ? true : Unlisted = true;

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_LIST_KEYS = 1000;
