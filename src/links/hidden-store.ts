/**
 * The store as the faces see it: the system bucket (where share links keep their state and their signing
 * secret) is neither listed nor reachable. Anyone who could read it could mint tokens for every link, and
 * anyone who could write it could hand themselves unlimited uses, so the faces get this view and only
 * the share-link service (src/links/service.ts) gets the store itself.
 */
import { ServiceError } from '../errors/codes.js';
import type { ObjectStore } from '../storage/types.js';
import { wrapStore, type StoreCallOptions } from '../storage/wrap.js';

/** Every bucket an operation's options name. */
function bucketsOf(opts: StoreCallOptions): string[] {
  const named: string[] = [];
  if ('bucket' in opts) named.push(opts.bucket);
  if ('sourceBucket' in opts) named.push(opts.sourceBucket);
  return named;
}

export function hideSystemBucket(store: ObjectStore, systemBucket: string): ObjectStore {
  const hidden = wrapStore(store, (_operation, opts, call) => {
    if (bucketsOf(opts).includes(systemBucket)) {
      throw new ServiceError('AccessDenied', `The bucket "${systemBucket}" is reserved for the service's own state (share links).`);
    }
    return call();
  });
  return {
    ...hidden,
    listBuckets: async (opts) => (await store.listBuckets(opts)).filter((b) => b.name !== systemBucket),
  };
}
