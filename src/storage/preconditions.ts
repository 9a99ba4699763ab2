/** Checks on a write that every store applies the same way: preconditions on the current ETag, Content-MD5. */
import { ServiceError } from '../errors/codes.js';
import type { PutObjectOptions } from './types.js';

/** ETags compare without quotes and without a weak prefix. */
export function sameEtag(a: string, b: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare(a) === bare(b);
}

/** Throws PreconditionFailed unless a put with these options may replace an object whose ETag is `current`. */
export function checkPutPreconditions(current: string | undefined, put: Pick<PutObjectOptions, 'ifNoneMatch' | 'ifMatch' | 'key'>): void {
  if (put.ifNoneMatch === '*' && current !== undefined) {
    throw new ServiceError('PreconditionFailed', `"${put.key}" already exists (If-None-Match: *).`);
  }
  if (put.ifMatch !== undefined && (current === undefined || !sameEtag(current, put.ifMatch))) {
    throw new ServiceError('PreconditionFailed', `"${put.key}" does not have the ETag ${put.ifMatch} (If-Match).`);
  }
}

export function hasPreconditions(put: Pick<PutObjectOptions, 'ifNoneMatch' | 'ifMatch'>): boolean {
  return put.ifNoneMatch !== undefined || put.ifMatch !== undefined;
}

/** Throws BadDigest when the body's MD5 (hex) is not the one the client announced (base64). */
export function checkContentMd5(expectedBase64: string | undefined, actualHex: string): void {
  if (expectedBase64 === undefined) return;
  if (Buffer.from(expectedBase64, 'base64').toString('hex') !== actualHex) {
    throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what was received.');
  }
}
