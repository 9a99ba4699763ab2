/** Names from the request (the core checks them, before any store sees them), and the JSON view of a bucket. */
import type { BucketInfo } from '../../../storage/types.js';

export function objectParams(params: { bucket: string; '*': string }): { bucket: string; key: string } {
  return { bucket: params.bucket, key: params['*'] };
}

export function bucketJson(info: BucketInfo) {
  return { name: info.name, creationDate: info.creationDate.toISOString() };
}
