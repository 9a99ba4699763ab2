/**
 * The store as the faces see it: the system bucket (where share links keep their state and their signing
 * secret) is neither listed nor reachable. Anyone who could read it could mint tokens for every link, and
 * anyone who could write it could hand themselves unlimited uses, so the faces get this view and only
 * the share-link service (src/links/service.ts) gets the store itself.
 */
import { ServiceError } from '../errors/codes.js';
import type { CopyObjectOptions, GetObjectOptions, ListObjectsOptions, ObjectStore, PutObjectOptions, Signal } from '../storage/types.js';

export function hideSystemBucket(store: ObjectStore, systemBucket: string): ObjectStore {
  const guard = (bucket: string): void => {
    if (bucket === systemBucket) {
      throw new ServiceError('AccessDenied', `The bucket "${bucket}" is reserved for the service's own state (share links).`);
    }
  };
  return {
    kind: store.kind,
    listBuckets: async (opts?: Signal) => (await store.listBuckets(opts)).filter((b) => b.name !== systemBucket),
    createBucket: async (bucket: string, opts?: Signal) => {
      guard(bucket);
      return store.createBucket(bucket, opts);
    },
    headBucket: async (bucket: string, opts?: Signal) => {
      guard(bucket);
      return store.headBucket(bucket, opts);
    },
    deleteBucket: async (bucket: string, opts?: Signal) => {
      guard(bucket);
      return store.deleteBucket(bucket, opts);
    },
    putObject: async (opts: PutObjectOptions) => {
      try {
        guard(opts.bucket);
      } catch (err) {
        opts.body.destroy(); // as a store does when it refuses a write
        throw err;
      }
      return store.putObject(opts);
    },
    getObject: async (opts: GetObjectOptions) => {
      guard(opts.bucket);
      return store.getObject(opts);
    },
    headObject: async (bucket: string, key: string, opts?: Signal) => {
      guard(bucket);
      return store.headObject(bucket, key, opts);
    },
    deleteObject: async (bucket: string, key: string, opts?: Signal) => {
      guard(bucket);
      return store.deleteObject(bucket, key, opts);
    },
    copyObject: async (opts: CopyObjectOptions) => {
      guard(opts.sourceBucket);
      guard(opts.bucket);
      return store.copyObject(opts);
    },
    listObjects: async (opts: ListObjectsOptions) => {
      guard(opts.bucket);
      return store.listObjects(opts);
    },
    ping: (opts?: Signal) => store.ping(opts),
    space: () => store.space?.(),
    close: () => store.close(),
  };
}
