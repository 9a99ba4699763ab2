/**
 * The wording of "not there" answers, in one place: every store and every face says it the same way, so a
 * GET and a DELETE of the same missing key (on fs or on s3) give the same message.
 */
import { ServiceError } from './codes.js';

export function noSuchBucket(bucket: string, options?: { cause?: unknown }): ServiceError {
  return new ServiceError('NoSuchBucket', `The bucket "${bucket}" does not exist.`, options);
}

export function noSuchKey(bucket: string, key: string, options?: { cause?: unknown }): ServiceError {
  return new ServiceError('NoSuchKey', `The key "${key}" does not exist in the bucket "${bucket}".`, options);
}

export function noCorsConfiguration(bucket: string, options?: { cause?: unknown }): ServiceError {
  return new ServiceError('NoSuchCORSConfiguration', `The bucket "${bucket}" has no CORS configuration.`, options);
}

export function noTagSet(bucket: string, options?: { cause?: unknown }): ServiceError {
  return new ServiceError('NoSuchTagSet', `The bucket "${bucket}" has no tags.`, options);
}
