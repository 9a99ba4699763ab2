/**
 * The store as every face sees it: bucket names, keys, tags and part numbers are checked here, once, before
 * any store sees a call, so no face repeats the rules and a new face cannot forget them.
 */
import { ServiceError } from '../errors/codes.js';
import { assertBucketName, assertObjectKey } from '../storage/names.js';
import { MAX_PARTS, type ObjectStore, type Tags } from '../storage/types.js';
import { wrapStore, type StoreCallOptions } from '../storage/wrap.js';

export const MAX_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/** S3's tag rules: at most 10, keys of 1–128 characters, values of up to 256. */
export function assertTags(tags: Tags): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new ServiceError('InvalidTag', `An object may have at most ${MAX_TAGS} tags; ${entries.length} were given.`);
  for (const [key, value] of entries) {
    if (key.length === 0 || [...key].length > MAX_TAG_KEY) {
      throw new ServiceError('InvalidTag', `A tag key must be 1 to ${MAX_TAG_KEY} characters long.`);
    }
    if ([...value].length > MAX_TAG_VALUE) {
      throw new ServiceError('InvalidTag', `The value of the tag "${key}" is longer than ${MAX_TAG_VALUE} characters.`);
    }
  }
}

function assertPartNumber(partNumber: number): void {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    throw new ServiceError('InvalidArgument', `A part number must be an integer from 1 to ${MAX_PARTS}; ${partNumber} is not.`);
  }
}

function checkCall(opts: StoreCallOptions): void {
  if ('bucket' in opts) assertBucketName(opts.bucket);
  if ('key' in opts) assertObjectKey(opts.key);
  if ('sourceBucket' in opts) assertBucketName(opts.sourceBucket);
  if ('sourceKey' in opts) assertObjectKey(opts.sourceKey);
  if ('tags' in opts && opts.tags) assertTags(opts.tags);
  if ('partNumber' in opts && opts.partNumber !== undefined) assertPartNumber(opts.partNumber);
}

export function checkedStore(store: ObjectStore): ObjectStore {
  return wrapStore(store, (_operation, opts, call) => {
    checkCall(opts);
    return call();
  });
}
