/** What the conformance sections share: the store under test, fresh buckets, and small assertion helpers. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { MIN_PART_SIZE, type ObjectStore } from '../../src/storage/types.js';
import { readAll } from '../helpers/streams.js';

/** Handed to every section: read `store` inside tests (it is opened by the suite's `before`). */
export interface ConformanceContext {
  readonly store: ObjectStore;
  /** A prefix unique to this run, for names that must not collide on a shared server. */
  readonly run: string;
  /** Creates a bucket that the suite empties (objects and open uploads) and deletes at the end. */
  newBucket(): Promise<string>;
  /** What the store's backend cannot do, as its runner declares it. */
  readonly limits: BackendLimits;
}

/**
 * Things a backend may be unable to do (each says why, for the test's name). Where one is declared, the
 * suite checks that the store refuses it with NotImplemented, never that it answers wrongly.
 */
export interface BackendLimits {
  /** Single parts of a multipart object cannot be read by number. */
  partReadsOfMultipartObjects?: string;
  /** An upload completes only from all of its uploaded parts. */
  completionFromSomeParts?: string;
}

/** Rejects with a ServiceError of one of these codes (and, when given, exactly this message). */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode | readonly ErrorCode[], message?: string): Promise<void> {
  const codes: readonly ErrorCode[] = typeof code === 'string' ? [code] : code;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected a ServiceError ${codes.join(' or ')}, got ${String(err)}`);
    assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

export const body = (content: string | Buffer): Readable => Readable.from([Buffer.from(content)]);

export async function getBytes(store: ObjectStore, bucket: string, key: string): Promise<Buffer> {
  return readAll((await store.getObject({ bucket, key })).body);
}

/** Random bytes just over the minimum part size: the smallest part that may come before another. */
export function minPart(extra = 7): Buffer {
  return randomBytes(MIN_PART_SIZE + extra);
}

export function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** The ETag S3 gives a multipart object: the MD5 of the parts' binary MD5s, then "-N". */
export function multipartEtag(parts: readonly Buffer[]): string {
  const joined = Buffer.concat(parts.map(md5));
  return `"${createHash('md5').update(joined).digest('hex')}-${parts.length}"`;
}

export const unquoted = (etag: string): string => etag.replace(/^"(.*)"$/, '$1');
