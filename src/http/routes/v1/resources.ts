/** Names from the request, checked once (storage/names.ts), and the JSON view of a bucket. */
import { assertBucketName, assertObjectKey } from '../../../storage/names.js';
import type { BucketInfo } from '../../../storage/types.js';

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
