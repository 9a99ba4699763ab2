/**
 * The s3 store: the ObjectStore contract on any S3-compatible server (AWS, Ceph RGW, MinIO, R2, ...)
 * through the AWS SDK v3. Service buckets are S3 buckets; the store keeps no state beyond its client.
 *
 * - Every call passes the caller's AbortSignal to the SDK, and every failure goes through errors.ts.
 * - Every backend call goes through one circuit (circuit.ts): while the backend is known to be down, calls
 *   answer 503 at once.
 * - S3 deletes are idempotent, so deleteObject asks HeadObject first to say whether the key existed.
 * - Listing asks for url-encoded keys so that control characters survive XML, and decodes them here.
 * - headBucket takes the creation date from ListBuckets (HeadBucket does not carry it).
 * - Multipart uploads (multipart.ts), copies (copy.ts), tags (tagging.ts) and buckets' CORS rules and tags
 *   (bucket-settings.ts) use the backend's own APIs, each call through the same circuit and time limits (the
 *   Backend handed to them runs `#run`).
 * - capabilities.checksums is the `checksums` setting: what the backend verifies and keeps.
 */
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ServiceError } from '../../errors/codes.js';
import type {
  BucketInfo,
  CopyObjectOptions,
  GetObjectOptions,
  GetObjectResult,
  ListObjectsOptions,
  ListObjectsResult,
  ObjectMeta,
  ObjectStore,
  PutObjectOptions,
  Signal,
  BucketOptions,
  ObjectOptions,
  StoreCapabilities,
  Tags,
  TaggingOptions,
  CreateMultipartOptions,
  UploadPartOptions,
  PartInfo,
  UploadPartCopyOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  CompleteMultipartOptions,
  UploadOptions,
  BucketCorsOptions,
  BucketTaggingOptions,
  CorsRule,
} from '../types.js';
import { clampRange } from '../ranges.js';
import { notYet } from '../not-yet.js';
import { DEFAULT_CONTENT_TYPE, MAX_LIST_KEYS, type BucketEncryption } from '../types.js';
import { createS3Client } from './client.js';
import { Circuit, type Verdict } from './circuit.js';
import {
  backendVerdict,
  isAbortError,
  isBareNotFound,
  noSuchBucket,
  noSuchKey,
  toStoreError,
  type ErrorContext,
} from './errors.js';
import { assertOwnMetadata, decodeListing, metaOf, parseContentRange, rangeHeader } from './wire.js';
import type { Backend } from './backend.js';
import { assertChecksumsSupported } from './checksum-support.js';
import { copyFrom, headSource, uploadPartCopy } from './copy.js';
import { abortUpload, createUpload, finishUpload, listParts, listUploads, uploadPart } from './multipart.js';
import { checkPartServed } from './part-reads.js';
import { checkSourceConditions } from './source-conditions.js';
import { deleteTags, getTags, putTags } from './tagging.js';
import { deleteBucketTags, deleteCors, getBucketTags, getCors, putBucketTags, putCors } from './bucket-settings.js';
import { S3_CIRCUIT, type S3StoreOptions } from './options.js';
import { assertWholeChecksums, uploadObject } from './upload.js';
import { checkPutPreconditions, hasPreconditions } from '../preconditions.js';

export class S3Store implements ObjectStore {
  readonly kind = 's3';
  readonly capabilities: StoreCapabilities;
  readonly #client: S3Client;
  readonly #opts: S3StoreOptions;
  readonly #circuit: Circuit;
  readonly #backend: Backend;
  /** Asks for the checksums kept with an object only of a backend that keeps some. */
  readonly #checksumMode: 'ENABLED' | undefined;

  constructor(opts: S3StoreOptions) {
    this.#opts = opts;
    // encryption at rest is the backend's own business here (its bucket defaults); none is asked of it
    this.capabilities = { checksums: [...opts.checksums], encryption: [] };
    this.#checksumMode = opts.checksums.length > 0 ? 'ENABLED' : undefined;
    this.#client = createS3Client(opts);
    this.#backend = { client: this.#client, checksums: this.capabilities.checksums, run: (ctx, signal, call) => this.#run(ctx, signal, call) };
    this.#circuit = new Circuit({ ...S3_CIRCUIT, probe: () => this.ping({}), log: opts.log });
  }

  /** Runs one backend call through the circuit: the caller's own abort says nothing of the backend. */
  #guarded<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    const verdictOf = (err: unknown): [Verdict, string] => (signal?.aborted ? ['unknown', 'aborted'] : backendVerdict(err));
    return this.#circuit.run(call, verdictOf);
  }

  /** Runs one SDK call and turns its failure into a ServiceError (or the abort it was). */
  async #run<T>(ctx: ErrorContext, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await this.#guarded(signal, call);
    } catch (err) {
      throw await this.#failure(err, ctx, signal);
    }
  }

  async #failure(err: unknown, ctx: ErrorContext, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return isAbortError(err) ? err : signal.reason;
    if (ctx.key !== undefined && isBareNotFound(err)) {
      return (await this.#bucketExists(ctx.bucket ?? '', signal)) ? noSuchKey(ctx, err) : noSuchBucket(ctx.bucket, err);
    }
    return toStoreError(err, ctx);
  }

  async #headBucket(bucket: string, signal: AbortSignal | undefined): Promise<void> {
    await this.#run({ bucket }, signal, () =>
      this.#client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal }),
    );
  }

  async #bucketExists(bucket: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.#headBucket(bucket, signal);
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NoSuchBucket') return false;
      throw err;
    }
  }

  async listBuckets(opts: Signal): Promise<BucketInfo[]> {
    const buckets: BucketInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.#run({}, opts.signal, () =>
        this.#client.send(new ListBucketsCommand({ ContinuationToken: token }), { abortSignal: opts.signal }),
      );
      for (const b of page.Buckets ?? []) {
        if (b.Name) buckets.push({ name: b.Name, creationDate: b.CreationDate ?? new Date(0) });
      }
      token = page.ContinuationToken;
    } while (token);
    return buckets;
  }

  async createBucket(opts: BucketOptions): Promise<void> {
    const { bucket } = opts;
    // Re-creating a bucket one owns answers 200 on Ceph RGW and in AWS us-east-1, not an error: ask first.
    // (Two creates racing can both succeed; the contract's error is for the common, sequential case.)
    if (await this.#bucketExists(bucket, opts.signal)) {
      throw new ServiceError('BucketAlreadyExists', `The bucket "${bucket}" already exists.`);
    }
    // Outside us-east-1, AWS wants the region named; S3-compatible servers take it or ignore it.
    const region = this.#opts.region;
    const config = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    await this.#run({ bucket }, opts.signal, () =>
      this.#client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: config }), {
        abortSignal: opts.signal,
      }),
    );
  }

  async headBucket(opts: BucketOptions): Promise<BucketInfo> {
    const { bucket, signal } = opts;
    const [, all] = await Promise.all([this.#headBucket(bucket, signal), this.listBuckets(opts)]);
    // A bucket we may use but do not own is not listed: its creation date is unknown.
    return all.find((b) => b.name === bucket) ?? { name: bucket, creationDate: new Date(0) };
  }

  async deleteBucket(opts: BucketOptions): Promise<void> {
    const { bucket } = opts;
    await this.#run({ bucket }, opts.signal, () =>
      this.#client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: opts.signal }),
    );
  }

  async putObject(opts: PutObjectOptions): Promise<ObjectMeta> {
    const ctx = { bucket: opts.bucket, key: opts.key };
    try {
      assertChecksumsSupported(this.capabilities.checksums, opts);
      assertWholeChecksums(this.#opts, opts);
      assertOwnMetadata(opts.metadata);
      // Not atomic on S3: another writer may slip in between this check and the upload.
      if (hasPreconditions(opts)) checkPutPreconditions(await this.#currentEtag(opts.bucket, opts.key, opts.signal), opts);
    } catch (err) {
      opts.body.destroy();
      throw err;
    }
    const { etag, size } = await this.#run(ctx, opts.signal, () => uploadObject(this.#client, this.#opts, opts)).catch((err: unknown) => {
      opts.body.destroy(); // unread when the circuit refused the call
      throw err;
    });
    return {
      key: opts.key,
      size,
      etag,
      // What a later HEAD would say, to the second (HTTP dates have no finer grain).
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
      contentType: opts.contentType ?? DEFAULT_CONTENT_TYPE,
      cacheControl: opts.cacheControl,
      contentDisposition: opts.contentDisposition,
      contentEncoding: opts.contentEncoding,
      metadata: { ...opts.metadata },
      checksums: opts.checksums && Object.keys(opts.checksums).length > 0 ? { ...opts.checksums } : undefined,
    };
  }

  async getObject(opts: GetObjectOptions): Promise<GetObjectResult> {
    const { bucket, key, signal } = opts;
    const condition = opts.range ? opts.rangeIf : undefined;
    const get = (ranged: boolean) =>
      this.#run({ bucket, key }, signal, () =>
        this.#client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            Range: ranged ? rangeHeader(opts.range) : undefined,
            PartNumber: opts.partNumber,
            ChecksumMode: this.#checksumMode,
            // If-Range as S3 has no such header: the range only while the object is that version
            IfMatch: ranged && condition && 'etag' in condition ? condition.etag : undefined,
            IfUnmodifiedSince: ranged && condition && 'lastModified' in condition ? condition.lastModified : undefined,
          }),
          { abortSignal: signal },
        ),
      );
    // S3 servers differ on a zero suffix (RGW serves bytes): no object has a satisfiable one
    if (opts.range && 'suffix' in opts.range && opts.range.suffix <= 0) clampRange(0, opts.range);
    // a changed object costs a second call; an unchanged one (the common case) is served at once
    let ranged = opts.range !== undefined || opts.partNumber !== undefined;
    const out = await get(true).catch((err: unknown) => {
      if (!condition || !(err instanceof ServiceError) || err.code !== 'PreconditionFailed') throw err;
      ranged = false;
      return get(false);
    });
    try {
      checkPartServed(opts.partNumber, out);
    } catch (err) {
      (out.Body as Readable | undefined)?.destroy();
      throw err;
    }
    const served = parseContentRange(out.ContentRange);
    const size = served?.total ?? out.ContentLength ?? 0;
    // an empty object has no byte to serve, whatever the server answered
    if (ranged && opts.range && !served && size === 0) {
      (out.Body as Readable | undefined)?.destroy();
      clampRange(0, opts.range);
    }
    const range = served ? { start: served.start, end: served.end } : ranged && size > 0 ? { start: 0, end: size - 1 } : undefined;
    return { meta: metaOf(key, out, size), body: out.Body as Readable, range };
  }

  async headObject(opts: ObjectOptions & { partNumber?: number | undefined }): Promise<ObjectMeta> {
    const { bucket, key } = opts;
    const out = await this.#run({ bucket, key }, opts.signal, () =>
      this.#client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: opts.partNumber, ChecksumMode: this.#checksumMode }),
        { abortSignal: opts.signal },
      ),
    );
    checkPartServed(opts.partNumber, out);
    return metaOf(key, out, out.ContentLength ?? 0);
  }

  /** The ETag of the current object, or undefined when there is none. */
  async #currentEtag(bucket: string, key: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      return (await this.headObject({ bucket, key, signal })).etag;
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async deleteObject(opts: ObjectOptions): Promise<boolean> {
    const { bucket, key } = opts;
    if ((await this.#currentEtag(bucket, key, opts.signal)) === undefined) return false;
    await this.#run({ bucket, key }, opts.signal, () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal }),
    );
    return true;
  }

  async copyObject(opts: CopyObjectOptions): Promise<ObjectMeta> {
    const { bucket, key, signal } = opts;
    assertChecksumsSupported(this.capabilities.checksums, { checksumAlgorithm: opts.checksumAlgorithm });
    assertOwnMetadata(opts.headers?.metadata);
    const source = await headSource(this.#backend, opts.sourceBucket, opts.sourceKey, signal);
    checkSourceConditions(source, opts.sourceConditions);
    // Not atomic on S3, as for putObject.
    if (hasPreconditions(opts)) checkPutPreconditions(await this.#currentEtag(bucket, key, signal), opts);
    const { copyThreshold: threshold, copyPartSize: partSize, queueSize } = this.#opts;
    await copyFrom(this.#backend, opts, source, { threshold, partSize, queueSize });
    return this.headObject({ bucket, key, signal });
  }

  async listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult> {
    const { bucket, continuationToken, signal } = opts;
    const out = await this.#run({ bucket }, signal, () =>
      this.#client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: opts.prefix,
          Delimiter: opts.delimiter,
          StartAfter: continuationToken ? undefined : opts.startAfter,
          ContinuationToken: continuationToken,
          MaxKeys: opts.maxKeys ?? MAX_LIST_KEYS,
          EncodingType: 'url',
          FetchOwner: true,
        }),
        { abortSignal: signal },
      ),
    );
    return decodeListing(out);
  }

  getObjectTagging(opts: ObjectOptions): Promise<Tags> {
    return getTags(this.#backend, opts);
  }
  putObjectTagging(opts: TaggingOptions): Promise<void> {
    return putTags(this.#backend, opts);
  }
  deleteObjectTagging(opts: ObjectOptions): Promise<void> {
    return deleteTags(this.#backend, opts);
  }
  getBucketCors(opts: BucketOptions): Promise<CorsRule[]> {
    return getCors(this.#backend, opts);
  }
  putBucketCors(opts: BucketCorsOptions): Promise<void> {
    return putCors(this.#backend, opts);
  }
  deleteBucketCors(opts: BucketOptions): Promise<void> {
    return deleteCors(this.#backend, opts);
  }
  getBucketTagging(opts: BucketOptions): Promise<Tags> {
    return getBucketTags(this.#backend, opts);
  }
  putBucketTagging(opts: BucketTaggingOptions): Promise<void> {
    return putBucketTags(this.#backend, opts);
  }
  deleteBucketTagging(opts: BucketOptions): Promise<void> {
    return deleteBucketTags(this.#backend, opts);
  }
  getBucketEncryption(): Promise<BucketEncryption> {
    return Promise.reject(notYet('Bucket default encryption'));
  }
  putBucketEncryption(): Promise<void> {
    return Promise.reject(notYet('Bucket default encryption'));
  }
  deleteBucketEncryption(): Promise<void> {
    return Promise.reject(notYet('Bucket default encryption'));
  }
  createMultipartUpload(opts: CreateMultipartOptions): Promise<{ uploadId: string }> {
    return createUpload(this.#backend, opts);
  }
  uploadPart(opts: UploadPartOptions): Promise<PartInfo> {
    return uploadPart(this.#backend, opts);
  }
  uploadPartCopy(opts: UploadPartCopyOptions): Promise<PartInfo> {
    return uploadPartCopy(this.#backend, opts);
  }
  listParts(opts: ListPartsOptions): Promise<ListPartsResult> {
    return listParts(this.#backend, opts);
  }
  listMultipartUploads(opts: ListUploadsOptions): Promise<ListUploadsResult> {
    return listUploads(this.#backend, opts);
  }

  async completeMultipartUpload(opts: CompleteMultipartOptions): Promise<ObjectMeta> {
    const { bucket, key, signal } = opts;
    // Not atomic on S3 (backends without conditional completion): a writer may slip in before the completion.
    if (hasPreconditions(opts)) checkPutPreconditions(await this.#currentEtag(bucket, key, signal), opts);
    return finishUpload(this.#backend, opts);
  }

  abortMultipartUpload(opts: UploadOptions): Promise<void> {
    return abortUpload(this.#backend, opts);
  }

  async ping(opts: Signal): Promise<void> {
    await this.#run({}, opts.signal, () => this.#client.send(new ListBucketsCommand({}), { abortSignal: opts.signal }));
  }

  async close(): Promise<void> {
    this.#circuit.stop();
    this.#client.destroy();
  }
}
