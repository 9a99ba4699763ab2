/**
 * A store wrapper that times every call and reports failures by code, for metrics. It changes nothing
 * else: same arguments, same results, same errors. A download is timed until the store answers with
 * its metadata and stream; the bytes that follow are the HTTP layer's to count.
 */
import { isServiceError } from '../errors/codes.js';
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
  StoreSpace,
} from './types.js';

/** Every timed store operation: the ObjectStore methods except close(). */
export type StoreOperation = Exclude<keyof ObjectStore, 'kind' | 'close' | 'space'>;

/** Where timings go; `errorCode` is set when the call failed. */
export interface StoreObserver {
  observeStoreCall(operation: StoreOperation, seconds: number, errorCode?: string): void;
  /** Given the store's room for writes (stores with a disk only), to read whenever it reports. */
  watchSpace?(space: () => StoreSpace | undefined): void;
}

/** A stable code for any failure: the ServiceError code, else the error's name (AbortError...). */
function codeOf(err: unknown): string {
  if (isServiceError(err)) return err.code;
  return err instanceof Error ? err.name : 'Unknown';
}

class InstrumentedStore implements ObjectStore {
  readonly kind: string;

  constructor(
    private readonly inner: ObjectStore,
    private readonly observer: StoreObserver,
  ) {
    this.kind = inner.kind;
  }

  private async timed<T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await call();
      this.observer.observeStoreCall(operation, seconds());
      return result;
    } catch (err) {
      this.observer.observeStoreCall(operation, seconds(), codeOf(err));
      throw err;
    }
  }

  listBuckets(opts?: Signal): Promise<BucketInfo[]> {
    return this.timed('listBuckets', () => this.inner.listBuckets(opts));
  }
  createBucket(bucket: string, opts?: Signal): Promise<void> {
    return this.timed('createBucket', () => this.inner.createBucket(bucket, opts));
  }
  headBucket(bucket: string, opts?: Signal): Promise<BucketInfo> {
    return this.timed('headBucket', () => this.inner.headBucket(bucket, opts));
  }
  deleteBucket(bucket: string, opts?: Signal): Promise<void> {
    return this.timed('deleteBucket', () => this.inner.deleteBucket(bucket, opts));
  }
  putObject(opts: PutObjectOptions): Promise<ObjectMeta> {
    return this.timed('putObject', () => this.inner.putObject(opts));
  }
  getObject(opts: GetObjectOptions): Promise<GetObjectResult> {
    return this.timed('getObject', () => this.inner.getObject(opts));
  }
  headObject(bucket: string, key: string, opts?: Signal): Promise<ObjectMeta> {
    return this.timed('headObject', () => this.inner.headObject(bucket, key, opts));
  }
  deleteObject(bucket: string, key: string, opts?: Signal): Promise<boolean> {
    return this.timed('deleteObject', () => this.inner.deleteObject(bucket, key, opts));
  }
  copyObject(opts: CopyObjectOptions): Promise<ObjectMeta> {
    return this.timed('copyObject', () => this.inner.copyObject(opts));
  }
  listObjects(opts: ListObjectsOptions): Promise<ListObjectsResult> {
    return this.timed('listObjects', () => this.inner.listObjects(opts));
  }
  ping(opts?: Signal): Promise<void> {
    return this.timed('ping', () => this.inner.ping(opts));
  }
  space(): StoreSpace | undefined {
    return this.inner.space?.();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `store` with every call reported to `observer`. */
export function instrumentStore(store: ObjectStore, observer: StoreObserver): ObjectStore {
  if (store.space) observer.watchSpace?.(() => store.space?.());
  return new InstrumentedStore(store, observer);
}
