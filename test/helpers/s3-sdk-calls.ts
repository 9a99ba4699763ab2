/** What the S3 API tests share: an SDK client with its default settings, a fresh bucket, S3 errors expected. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { s3Client, uniqueBucket } from './s3-fixture.js';
import { startS3Server, type StoreUnderTest, type TestServer } from './server.js';

export interface SdkKey {
  id: string;
  secret: string;
}

/** A client of the S3 listener at `url`, path-style, as an application would make it (default checksums). */
export const sdkClient = (url: string, key: SdkKey): S3Client => s3Client(url, key);

export const freshBucketName = uniqueBucket;

/** Awaits an S3 error of this code and status; returns it for further checks. */
export async function expectS3Error(promise: Promise<unknown>, code: string, status: number): Promise<S3ServiceException> {
  const err = await promise.then(
    () => assert.fail(`expected ${code} (${status}), the call succeeded`),
    (failure: unknown) => failure,
  );
  assert.ok(err instanceof S3ServiceException, `an S3 error, got ${String(err)}`);
  assert.equal(err.name, code, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

/** Puts every key (its own name as the body), a few at a time. */
export async function putKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  await Readable.from(keys)
    .map((key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key })), { concurrency: 8 })
    .toArray();
}

/** UTF-8 byte order, S3's order of keys. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** What a suite of S3 API tests runs against: a keyed listener, one without keys, a client, a fresh bucket. */
export interface S3Fixture {
  /** The listener with keys: the SDK's requests are signed. */
  server: TestServer;
  /** Another listener over the same store without keys: raw requests (fetch) need no signature. */
  open: TestServer;
  /** A client of `server` acting with the first key. */
  s3: S3Client;
  close(): Promise<void>;
}

/** Opens the store, starts both listeners with `keys` (the first one's client is `s3`), and creates `bucket`. */
export async function openS3Fixture(under: StoreUnderTest, bucket: string, keys: readonly (SdkKey & { grants: unknown[] })[]): Promise<S3Fixture> {
  const { store, cleanup } = await under.open();
  const server = await startS3Server(store, { auth: { keys } });
  const open = await startS3Server(store);
  const s3 = sdkClient(server.url, keys[0]!);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    server,
    open,
    s3,
    async close() {
      s3.destroy();
      await server.close();
      await open.close();
      await cleanup();
    },
  };
}
