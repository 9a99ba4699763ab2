/**
 * The one place where AWS SDK and network failures become ServiceErrors.
 *
 * - S3 error codes map to our stable codes; an unreachable, slow or failing backend (connection refused,
 *   DNS, timeouts, broken sockets, 5xx) is ServiceUnavailable; an abort stays an abort.
 * - Messages are ours (names of buckets and keys, the S3 code), never the SDK's text, so nothing about
 *   credentials or the request signature can reach a caller. The SDK error is kept as `cause` for logs.
 * - A HEAD answers 404 without a body, so the code cannot say whether the bucket or the key is missing:
 *   `isBareNotFound` tells the store to ask HeadBucket (see store.ts).
 * - `backendVerdict` says what a failure shows of the backend, for the circuit (circuit.ts).
 */
import { ServiceError, type ErrorCode } from '../../errors/codes.js';
import { noCorsConfiguration, noSuchBucket as missingBucket, noSuchKey as missingKey, noTagSet } from '../../errors/not-found.js';
import type { Verdict } from './circuit.js';

export interface ErrorContext {
  bucket?: string | undefined;
  key?: string | undefined;
}

interface SdkErrorShape {
  name?: unknown;
  /** S3 names the missing bucket in a NoSuchBucket error (which may be a copy's source). */
  BucketName?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const AUTH_CODES = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'RequestTimeTooSkewed',
]);

const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SlowDown',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
  'RequestTimeoutException',
]);

/** Errors from Node's sockets and resolver that mean "the backend cannot be reached right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The backend answers, asking for fewer requests: it is up (the SDK already waited and tried again). */
const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Client errors whose S3 code is also one of ours: passed through with the same code. */
const PASS_THROUGH: readonly ErrorCode[] = [
  'InvalidArgument',
  'InvalidRequest',
  'InvalidBucketName',
  'KeyTooLongError',
  'EntityTooLarge',
  'BadDigest',
  'IncompleteBody',
  'MethodNotAllowed',
  'InvalidDigest',
  'InvalidTag',
  'MalformedXML',
  'InvalidPart',
  'InvalidPartOrder',
  'EntityTooSmall',
];

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

export function httpStatusOf(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode;
}

/** The S3 error code ("NoSuchKey"), or a Node error code ("ECONNREFUSED"), or the error's name. */
export function errorCodeOf(err: unknown): string | undefined {
  const { Code, code, name } = shape(err);
  for (const candidate of [Code, code, name]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return undefined;
}

export function isAbortError(err: unknown): boolean {
  return shape(err).name === 'AbortError';
}

/** A 404 that names neither NoSuchBucket nor NoSuchKey (HEAD responses carry no error body). */
export function isBareNotFound(err: unknown): boolean {
  const code = errorCodeOf(err);
  return httpStatusOf(err) === 404 && code !== 'NoSuchBucket' && code !== 'NoSuchKey';
}

function describe(ctx: ErrorContext): string {
  if (ctx.key !== undefined) return `object "${ctx.key}" in bucket "${ctx.bucket ?? ''}"`;
  return ctx.bucket !== undefined ? `bucket "${ctx.bucket}"` : 'request';
}

export function noSuchBucket(bucket: string | undefined, cause?: unknown): ServiceError {
  return missingBucket(bucket ?? '', { cause });
}

export function noSuchKey(ctx: ErrorContext, cause?: unknown): ServiceError {
  return missingKey(ctx.bucket ?? '', ctx.key ?? '', { cause });
}

/**
 * Turns anything the SDK threw into a ServiceError, or returns it unchanged when it is already one or is an
 * abort (callers rethrow aborts as they are).
 */
export function toStoreError(err: unknown, ctx: ErrorContext = {}): Error {
  if (err instanceof ServiceError || isAbortError(err)) return err as Error;
  const code = errorCodeOf(err);
  const status = httpStatusOf(err);
  const fail = (ours: ErrorCode, message: string) => new ServiceError(ours, message, { cause: err });

  switch (code) {
    case 'NoSuchBucket': {
      const named = shape(err).BucketName;
      return noSuchBucket(typeof named === 'string' && named ? named : ctx.bucket, err);
    }
    case 'NoSuchKey':
      return noSuchKey(ctx, err);
    case 'BucketNotEmpty':
      return fail('BucketNotEmpty', `The bucket "${ctx.bucket ?? ''}" is not empty.`);
    case 'BucketAlreadyExists':
    case 'BucketAlreadyOwnedByYou':
      return fail('BucketAlreadyExists', `The bucket "${ctx.bucket ?? ''}" already exists.`);
    case 'NoSuchCORSConfiguration':
      return noCorsConfiguration(ctx.bucket ?? '', { cause: err });
    case 'NoSuchTagSet':
      return noTagSet(ctx.bucket ?? '', { cause: err });
    case 'NoSuchUpload':
      return fail('NoSuchUpload', `The upload does not exist for the ${describe(ctx)}: it was completed, aborted or never begun.`);
    case 'InvalidRange':
      return fail('InvalidRange', `The range is not satisfiable for the ${describe(ctx)}.`);
    case 'PreconditionFailed':
      return fail('PreconditionFailed', `A precondition failed for the ${describe(ctx)}.`);
  }
  if (code === 'CredentialsProviderError') {
    return fail('InternalError', 'The s3 store found no credentials to sign its requests with.');
  }
  if ((code && AUTH_CODES.has(code)) || status === 403) {
    return fail('AccessDenied', `The S3 backend denied access to the ${describe(ctx)} (${code ?? status}).`);
  }
  if ((code && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) || (status && status >= 500)) {
    return fail('ServiceUnavailable', `The S3 backend is unavailable (${code ?? `HTTP ${status}`}).`);
  }
  if (status === 404) return ctx.key !== undefined ? noSuchKey(ctx, err) : noSuchBucket(ctx.bucket, err);
  if (status === 412) return fail('PreconditionFailed', `A precondition failed for the ${describe(ctx)}.`);
  if (status === 416) return fail('InvalidRange', `The range is not satisfiable for the ${describe(ctx)}.`);
  const passed = PASS_THROUGH.find((c) => c === code);
  if (passed) return fail(passed, `The S3 backend rejected the request for the ${describe(ctx)} (${passed}).`);
  return fail('InternalError', `The S3 backend failed on the ${describe(ctx)} (${code ?? `HTTP ${status ?? '?'}`}).`);
}

/**
 * What a failed call shows of the backend, and in a word what the failure was: down (no answer in time, a
 * refused, reset or unresolvable connection, or a 5xx), answered (any other status: it is up, the request
 * was wrong), or unknown (our own errors, aborts, missing credentials: the backend was not heard from).
 * The caller's abort is the store's to tell apart (the signal), since the SDK reports it as it does others.
 */
export function backendVerdict(err: unknown): [Verdict, string] {
  if (err instanceof ServiceError || isAbortError(err)) return ['unknown', err instanceof Error ? err.name : 'error'];
  const code = errorCodeOf(err);
  const status = httpStatusOf(err);
  const what = code ?? (status ? `HTTP ${status}` : 'unknown error');
  if (code && THROTTLING_CODES.has(code)) return ['answered', what];
  if (status !== undefined) return [status >= 500 ? 'down' : 'answered', what];
  if (code && (NETWORK_CODES.has(code) || UNAVAILABLE_CODES.has(code))) return ['down', what];
  return ['unknown', what];
}
