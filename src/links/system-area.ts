/**
 * Small JSON documents in the system bucket, through the ObjectStore contract, so that they live wherever
 * the objects live: in the data dir on fs, in a real bucket on s3 (shared by every instance on it).
 *
 * - A store with a private bucket (fs: `.s3gate-system`, not a valid bucket name, so no face can even name
 *   it) keeps them there; others (s3) in the configured bucket (`s3gate-system` by default). Either way the
 *   faces get a view of the store without it (hidden-store.ts).
 * - The bucket is created on the first write; reads of a missing bucket find nothing and create nothing,
 *   so public requests never write.
 * - Conditional writes (`ifMatch` / `ifNoneMatch`) are what every change goes through: atomic in the fs
 *   store's commit; on s3 checked by the store and sent to the server, which applies them atomically where
 *   it supports conditional writes (AWS, Ceph RGW, MinIO).
 */
import { Readable } from 'node:stream';
import { isServiceError, ServiceError } from '../errors/codes.js';
import type { ObjectStore } from '../storage/types.js';

/** System documents are small; anything larger is not one of ours. */
const MAX_DOCUMENT_BYTES = 64 * 1024;

export interface Versioned<T> {
  value: T;
  etag: string;
  /** When the store last wrote it. */
  lastModified: Date;
}

export interface WriteCondition {
  /** Replace only this version (compare-and-swap). */
  ifMatch?: string | undefined;
  /** Create only. */
  ifNoneMatch?: '*' | undefined;
}

export function systemBucketFor(store: ObjectStore, configured: string): string {
  return store.capabilities.privateBucket ?? configured;
}

const isCode = (err: unknown, ...codes: string[]) => isServiceError(err) && codes.includes(err.code);

export class SystemArea {
  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
  ) {}

  /** The document and its version, or undefined when there is none. */
  async read(key: string): Promise<Versioned<unknown> | undefined> {
    let got;
    try {
      got = await this.store.getObject({ bucket: this.bucket, key });
    } catch (err) {
      if (isCode(err, 'NoSuchKey', 'NoSuchBucket')) return undefined;
      throw err;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of got.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DOCUMENT_BYTES) {
        got.body.destroy();
        throw new ServiceError('InternalError', `The system document "${key}" is larger than any the service writes.`);
      }
      chunks.push(chunk);
    }
    try {
      const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      return { value, etag: got.meta.etag, lastModified: got.meta.lastModified };
    } catch {
      throw new ServiceError('InternalError', `The system document "${key}" is not JSON.`);
    }
  }

  /** Writes the document; PreconditionFailed when the condition does not hold. Returns the new version. */
  async write(key: string, value: unknown, condition: WriteCondition = {}): Promise<string> {
    try {
      return await this.put(key, value, condition);
    } catch (err) {
      if (!isCode(err, 'NoSuchBucket')) throw err;
      await this.createBucket();
      return this.put(key, value, condition);
    }
  }

  /** Keys under a prefix, one page at a time (the cursor is the store's continuation token). */
  async list(prefix: string, limit: number, cursor?: string): Promise<{ keys: string[]; nextCursor?: string | undefined }> {
    try {
      const page = await this.store.listObjects({ bucket: this.bucket, prefix, maxKeys: limit, continuationToken: cursor });
      return { keys: page.objects.map((o) => o.key), nextCursor: page.isTruncated ? page.nextContinuationToken : undefined };
    } catch (err) {
      if (isCode(err, 'NoSuchBucket')) return { keys: [] };
      throw err;
    }
  }

  /** Deletes the document; whether it was there (a document already gone is no error: sweeps may race). */
  async delete(key: string): Promise<boolean> {
    try {
      return await this.store.deleteObject({ bucket: this.bucket, key });
    } catch (err) {
      if (isCode(err, 'NoSuchKey', 'NoSuchBucket')) return false;
      throw err;
    }
  }

  private async put(key: string, value: unknown, condition: WriteCondition): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    const meta = await this.store.putObject({
      bucket: this.bucket,
      key,
      body: Readable.from([bytes]),
      contentLength: bytes.length,
      contentType: 'application/json',
      ...condition,
    });
    return meta.etag;
  }

  private async createBucket(): Promise<void> {
    try {
      await this.store.createBucket({ bucket: this.bucket });
    } catch (err) {
      if (!isCode(err, 'BucketAlreadyExists')) throw err; // another instance, or a request of ours, was first
    }
  }
}
