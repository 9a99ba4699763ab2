/** What the S3 API tests share: an SDK client with its default settings, a fresh bucket, S3 errors expected. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';

export interface SdkKey {
  id: string;
  secret: string;
}

/** A client of the S3 listener at `url`, path-style, as an application would make it (default checksums). */
export function sdkClient(url: string, key: SdkKey): S3Client {
  return new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: key.id, secretAccessKey: key.secret } });
}

export const freshBucketName = (label: string) => `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

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
