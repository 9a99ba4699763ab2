/**
 * What a copy (CopyObject, UploadPartCopy) reads from: x-amz-copy-source, the conditions on it
 * (x-amz-copy-source-if-*) and, for a part, the bytes of it (x-amz-copy-source-range).
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { SourceConditions } from '../../../../storage/types.js';
import { header, type S3Call } from '../context.js';

export interface CopySource {
  bucket: string;
  key: string;
}

const NO_SOURCE = 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.';

/** Buckets here keep one version of a key, which S3 names "null": any other version does not exist. */
function checkVersion(query: string): void {
  const versionId = new URLSearchParams(query).get('versionId');
  if (versionId !== null && versionId !== 'null') throw new ServiceError('InvalidArgument', 'Invalid version id specified.');
}

/** "/bucket/key" or "bucket/key", percent-encoded, optionally with ?versionId=null. */
export function parseCopySource(value: string): CopySource {
  // a "?" of the key itself arrives encoded, so the first literal one starts the query
  const q = value.indexOf('?');
  if (q >= 0) checkVersion(value.slice(q + 1));
  let path: string;
  try {
    path = decodeURIComponent(q < 0 ? value : value.slice(0, q));
  } catch {
    throw new ServiceError('InvalidArgument', 'Invalid copy source encoding: it holds a malformed percent-encoding.');
  }
  if (path.startsWith('/')) path = path.slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw new ServiceError('InvalidArgument', NO_SOURCE);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/**
 * The call's copy source, once the caller may read it: checked before anything else touches the store, so
 * that a source the caller may not read stays unknown (and a missing one it may not list, see conceal.ts).
 */
export function readableCopySource(call: S3Call): CopySource {
  const source = parseCopySource(header(call, 'x-amz-copy-source') ?? '');
  assertAllowed(call.request, 'read', source.bucket, source.key);
  return source;
}

/** An HTTP date; unparsable ones are ignored, as for the conditions of a GET. */
function httpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** x-amz-copy-source-if-match, -none-match, -modified-since and -unmodified-since; undefined without any. */
export function sourceConditionsOf(call: S3Call): SourceConditions | undefined {
  const conditions: SourceConditions = {
    ifMatch: header(call, 'x-amz-copy-source-if-match'),
    ifNoneMatch: header(call, 'x-amz-copy-source-if-none-match'),
    ifModifiedSince: httpDate(header(call, 'x-amz-copy-source-if-modified-since')),
    ifUnmodifiedSince: httpDate(header(call, 'x-amz-copy-source-if-unmodified-since')),
  };
  return Object.values(conditions).some((value) => value !== undefined) ? conditions : undefined;
}

const SOURCE_RANGE = /^bytes=(\d{1,15})-(\d{1,15})$/;

/** x-amz-copy-source-range: "bytes=first-last", both given (the store checks them against the source). */
export function copySourceRange(call: S3Call): { start: number; end: number } | undefined {
  const value = header(call, 'x-amz-copy-source-range');
  if (value === undefined) return undefined;
  const match = SOURCE_RANGE.exec(value.trim());
  if (!match) {
    throw new ServiceError(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last, where first and last are the zero-based offsets of the first and last bytes to copy.',
    );
  }
  return { start: Number(match[1]), end: Number(match[2]) };
}
