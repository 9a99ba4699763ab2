/**
 * x-amz-copy-source-if-* checked against the source's metadata, with S3's two pairings: a matching If-Match
 * overrides a failing If-Unmodified-Since, and a present If-None-Match decides alone over If-Modified-Since.
 * The store checks them itself so every copy path (CopyObject, multipart copy, streamed part copy) agrees.
 */
import { ServiceError } from '../../errors/codes.js';
import { sameEtag } from '../preconditions.js';
import type { SourceConditions } from '../types.js';

/** HTTP dates have whole seconds: compare at that grain. */
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function checkSourceConditions(source: { etag: string; lastModified: Date }, conditions: SourceConditions | undefined): void {
  if (!conditions) return;
  const fail = (what: string) => new ServiceError('PreconditionFailed', `The copy source does not satisfy ${what}.`);
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  if (ifMatch !== undefined) {
    if (!sameEtag(source.etag, ifMatch)) throw fail('x-amz-copy-source-if-match');
  } else if (ifUnmodifiedSince && seconds(source.lastModified) > seconds(ifUnmodifiedSince)) {
    throw fail('x-amz-copy-source-if-unmodified-since');
  }
  if (ifNoneMatch !== undefined) {
    if (sameEtag(source.etag, ifNoneMatch)) throw fail('x-amz-copy-source-if-none-match');
  } else if (ifModifiedSince && seconds(source.lastModified) <= seconds(ifModifiedSince)) {
    throw fail('x-amz-copy-source-if-modified-since');
  }
}
