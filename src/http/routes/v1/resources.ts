/** Names from the request, checked once (storage/names.ts), and the JSON views of store results. */
import { assertBucketName, assertObjectKey } from '../../../storage/names.js';
import type { BucketInfo, ObjectMeta } from '../../../storage/types.js';

export function checkedBucket(params: { bucket: string }): string {
  assertBucketName(params.bucket);
  return params.bucket;
}

export function checkedObject(params: { bucket: string; '*': string }): { bucket: string; key: string } {
  const bucket = checkedBucket(params);
  assertObjectKey(params['*']);
  return { bucket, key: params['*'] };
}

export function bucketJson(info: BucketInfo) {
  return { name: info.name, creationDate: info.creationDate.toISOString() };
}

export function objectJson(bucket: string, meta: ObjectMeta) {
  return { bucket, key: meta.key, size: meta.size, etag: meta.etag, lastModified: meta.lastModified.toISOString() };
}
