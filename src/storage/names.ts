/**
 * Bucket-name and key rules, checked once by the faces before any store sees a request.
 * They follow S3's rules for general-purpose buckets and object keys, so every name valid here is valid
 * on any S3-compatible backend.
 */
import { ServiceError } from '../errors/codes.js';

export const MAX_KEY_BYTES = 1024;

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why a bucket name is invalid, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!BUCKET_CHARS.test(name)) {
    return 'may contain only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (name.includes('.-') || name.includes('-.')) return 'must not contain a dot next to a hyphen';
  if (IPV4_LIKE.test(name)) return 'must not look like an IP address';
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'uses a reserved prefix';
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return 'uses a reserved suffix';
  return undefined;
}

export function assertBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) throw new ServiceError('InvalidBucketName', `Invalid bucket name "${name}": it ${problem}.`);
}

/** Keys are any well-formed UTF-8 of 1 to 1024 bytes; `/`, `..`, `\` and control characters are plain characters. */
export function assertObjectKey(key: string): void {
  if (key.length === 0) throw new ServiceError('InvalidKey', 'The object key must not be empty.');
  if (!key.isWellFormed()) throw new ServiceError('InvalidKey', 'The object key is not valid UTF-8.');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new ServiceError('KeyTooLongError', `The object key is ${bytes} bytes long; the limit is ${MAX_KEY_BYTES}.`);
  }
}
