/**
 * The store as every face sees it: bucket names, keys, tags, part numbers and CORS rules are checked here,
 * once, before any store sees a call, so no face repeats the rules and a new face cannot forget them.
 */
import { ServiceError } from '../errors/codes.js';
import { assertBucketName, assertObjectKey } from '../storage/names.js';
import {
  CORS_METHODS,
  MAX_PARTS,
  type CorsRule,
  type EncryptionMode,
  type ObjectStore,
  type StoreOperation,
  type Tags,
} from '../storage/types.js';
import { wrapStore, type StoreCallOptions } from '../storage/wrap.js';

export const MAX_TAGS = 10;
/** A bucket may have more tags than an object. */
export const MAX_BUCKET_TAGS = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
export const MAX_CORS_RULES = 100;
const MAX_CORS_ID = 255;

/** S3's tag rules: at most `max` (10 on an object), keys of 1–128 characters, values of up to 256. */
export function assertTags(tags: Tags, max = MAX_TAGS, holder = 'An object'): void {
  const entries = Object.entries(tags);
  if (entries.length > max) throw new ServiceError('InvalidTag', `${holder} may have at most ${max} tags; ${entries.length} were given.`);
  for (const [key, value] of entries) {
    if (key.length === 0 || [...key].length > MAX_TAG_KEY) {
      throw new ServiceError('InvalidTag', `A tag key must be 1 to ${MAX_TAG_KEY} characters long.`);
    }
    if ([...value].length > MAX_TAG_VALUE) {
      throw new ServiceError('InvalidTag', `The value of the tag "${key}" is longer than ${MAX_TAG_VALUE} characters.`);
    }
  }
}

function invalidCors(message: string): ServiceError {
  return new ServiceError('InvalidRequest', message);
}

/** An origin or header pattern: not empty, at most one `*`. */
function assertPattern(what: string, value: string): void {
  if (value === '') throw invalidCors(`A CORS rule's ${what} may not be empty.`);
  if (value.indexOf('*') !== value.lastIndexOf('*')) throw invalidCors(`${what} "${value}" can not have more than one wildcard.`);
}

/** S3's CORS rules: 1 to 100 rules, each allowing some origin and some of the methods S3 serves. */
export function assertCorsRules(rules: readonly CorsRule[]): void {
  if (rules.length === 0) throw invalidCors('A CORS configuration must have at least one rule.');
  if (rules.length > MAX_CORS_RULES) throw invalidCors(`A CORS configuration may have at most ${MAX_CORS_RULES} rules; ${rules.length} were given.`);
  for (const rule of rules) {
    if (rule.allowedOrigins.length === 0) throw invalidCors('Each CORS rule must allow at least one origin (AllowedOrigin).');
    if (rule.allowedMethods.length === 0) throw invalidCors('Each CORS rule must allow at least one method (AllowedMethod).');
    for (const method of rule.allowedMethods) {
      if (!CORS_METHODS.includes(method)) throw invalidCors(`Found unsupported HTTP method in CORS config. Unsupported method is ${String(method)}.`);
    }
    for (const origin of rule.allowedOrigins) assertPattern('AllowedOrigin', origin);
    for (const name of rule.allowedHeaders) assertPattern('AllowedHeader', name);
    for (const name of rule.exposeHeaders) {
      if (name === '') throw invalidCors("A CORS rule's ExposeHeader may not be empty.");
    }
    const age = rule.maxAgeSeconds;
    if (age !== undefined && (!Number.isSafeInteger(age) || age < 0)) throw invalidCors('MaxAgeSeconds must be a whole number of seconds, 0 or more.');
    if (rule.id !== undefined && [...rule.id].length > MAX_CORS_ID) throw invalidCors(`A CORS rule's ID may be at most ${MAX_CORS_ID} characters long.`);
  }
}

function assertPartNumber(partNumber: number): void {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    throw new ServiceError('InvalidArgument', `A part number must be an integer from 1 to ${MAX_PARTS}; ${partNumber} is not.`);
  }
}

const MODE_NAMES: Record<EncryptionMode, string> = { AES256: 'SSE-S3 (AES256)', 'aws:kms': 'SSE-KMS (aws:kms)', 'SSE-C': 'SSE-C' };

/** A write or a bucket default asking for encryption the store does not do is refused, never stored in the clear. */
function assertEncryptionOffered(offered: readonly EncryptionMode[], mode: EncryptionMode): void {
  if (offered.includes(mode)) return;
  const what = offered.length === 0 ? 'no server-side encryption' : `only ${offered.map((m) => MODE_NAMES[m]).join(', ')}`;
  throw new ServiceError('NotImplemented', `${MODE_NAMES[mode]} encryption is not offered here: this store does ${what}.`);
}

function checkCall(operation: StoreOperation, opts: StoreCallOptions, offered: readonly EncryptionMode[]): void {
  if ('bucket' in opts) assertBucketName(opts.bucket);
  if ('key' in opts) assertObjectKey(opts.key);
  if ('sourceBucket' in opts) assertBucketName(opts.sourceBucket);
  if ('sourceKey' in opts) assertObjectKey(opts.sourceKey);
  if ('tags' in opts && opts.tags) {
    if (operation === 'putBucketTagging') assertTags(opts.tags, MAX_BUCKET_TAGS, 'A bucket');
    else assertTags(opts.tags);
  }
  if ('partNumber' in opts && opts.partNumber !== undefined) assertPartNumber(opts.partNumber);
  if ('rules' in opts) assertCorsRules(opts.rules);
  if ('encryption' in opts && opts.encryption) assertEncryptionOffered(offered, opts.encryption.mode);
}

export function checkedStore(store: ObjectStore): ObjectStore {
  return wrapStore(store, (operation, opts, call) => {
    checkCall(operation, opts, store.capabilities.encryption);
    return call();
  });
}
