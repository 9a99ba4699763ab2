/**
 * The conditions of a copy on its source (x-amz-copy-source-if-*), decided as S3 does: a matching If-Match
 * overrides a failing If-Unmodified-Since, a passing If-None-Match overrides a failing If-Modified-Since.
 * Dates compare in whole seconds, as HTTP dates carry them.
 */
import { ServiceError } from '../errors/codes.js';
import { sameEtag } from './preconditions.js';
import type { ObjectMeta, SourceConditions } from './types.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Throws PreconditionFailed unless the source `meta` meets `conditions`. */
export function checkSourceConditions(meta: Pick<ObjectMeta, 'etag' | 'lastModified' | 'key'>, conditions: SourceConditions | undefined): void {
  if (!conditions) return;
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  const fail = (why: string) => {
    throw new ServiceError('PreconditionFailed', `The copy source "${meta.key}" ${why}.`);
  };
  const modified = seconds(meta.lastModified);
  if (ifMatch !== undefined) {
    if (!ifMatch.split(',').some((tag) => tag.trim() === '*' || sameEtag(meta.etag, tag))) fail(`does not have the ETag ${ifMatch}`);
  } else if (ifUnmodifiedSince !== undefined && modified > seconds(ifUnmodifiedSince)) {
    fail(`was modified since ${ifUnmodifiedSince.toUTCString()}`);
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || sameEtag(meta.etag, tag))) fail(`has the ETag ${ifNoneMatch}`);
  } else if (ifModifiedSince !== undefined && modified <= seconds(ifModifiedSince)) {
    fail(`was not modified since ${ifModifiedSince.toUTCString()}`);
  }
}
