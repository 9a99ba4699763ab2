/** The s3 store: an ObjectStore on any S3-compatible server (see store.ts). */
import type { ObjectStore } from '../types.js';
import type { S3StoreOptions } from './options.js';
import { S3Store } from './store.js';

export { S3_STORE_DEFAULTS, type S3StoreOptions } from './options.js';

export function createS3Store(opts: S3StoreOptions): ObjectStore {
  return new S3Store(opts);
}
