/**
 * What the s3 store's RGW tests share: a store on the test server with chosen options, a bucket of its own
 * emptied and removed afterwards (open uploads aborted), a raw client to look behind the store, and the
 * assertions they use.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before } from '../helpers/suites.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { isServiceError, type ErrorCode } from '../../src/errors/codes.js';
import { createS3Client } from '../../src/storage/s3/client.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import type { S3StoreOptions } from '../../src/storage/s3/options.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';

export const s3 = s3TestConfig();
export const skipUnlessS3 = 'skip' in s3 ? { skip: s3.skip } : {};
export const MiB = 1024 * 1024;

export interface RgwFixture {
  store(): ObjectStore;
  client(): S3Client;
  readonly bucket: string;
}

/** Opens the store in `before` and cleans up in `after`; call inside a describe. */
export function rgwFixture(overrides: Partial<S3StoreOptions> = {}): RgwFixture {
  const bucket = `s3t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let store: ObjectStore | undefined;
  let client: S3Client | undefined;
  before(async () => {
    assert.ok('options' in s3);
    store = createS3Store({ ...s3.options, ...overrides });
    client = createS3Client(s3.options);
    await store.createBucket({ bucket });
  });
  after(async () => {
    if (!store) return;
    const { uploads } = await store.listMultipartUploads({ bucket });
    for (const u of uploads) await store.abortMultipartUpload({ bucket, key: u.key, uploadId: u.uploadId });
    let page = await store.listObjects({ bucket });
    for (;;) {
      for (const o of page.objects) await store.deleteObject({ bucket, key: o.key });
      if (!page.isTruncated) break;
      page = await store.listObjects({ bucket, continuationToken: page.nextContinuationToken });
    }
    await store.deleteBucket({ bucket });
    await store.close();
    client?.destroy();
  });
  return {
    bucket,
    store: () => store ?? assert.fail('the store opens in before()'),
    client: () => client ?? assert.fail('the client opens in before()'),
  };
}

export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isServiceError(err), `expected ServiceError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** Chunks of `data` as a stream (of unknown length unless the caller says it). */
export function streamOf(data: Buffer, chunk = 256 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += chunk) yield data.subarray(at, at + chunk);
    })(),
  );
}
