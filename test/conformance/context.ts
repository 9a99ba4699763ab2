/** What the conformance sections share: the store under test, fresh buckets, and the assertions they all use. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import type { ObjectStore } from '../../src/storage/types.js';

export interface Conformance {
  /** The store under test (opened in the suite's `before`, so only callable inside tests and hooks). */
  store(): ObjectStore;
  /** A new bucket, removed with everything in it after the suite. */
  newBucket(): Promise<string>;
}

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected a ServiceError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

export const body = (content: string | Buffer): Readable => Readable.from([Buffer.from(content)]);

/** `size` random bytes. */
export const bytes = (size: number): Buffer => randomBytes(size);

export const quotedMd5 = (data: Buffer): string => `"${createHash('md5').update(data).digest('hex')}"`;

/** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then "-N". */
export function multipartEtag(parts: readonly Buffer[]): string {
  const outer = createHash('md5');
  for (const part of parts) outer.update(createHash('md5').update(part).digest());
  return `"${outer.digest('hex')}-${parts.length}"`;
}
