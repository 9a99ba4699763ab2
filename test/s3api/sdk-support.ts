/** What the S3 API tests of multipart uploads and copies share: a client, keys, and error and byte checks. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { rejectsWithCode, s3Client, uniqueBucket } from '../helpers/s3-fixture.js';
import { startS3Server, type StoreUnderTest, type TestServer } from '../helpers/server.js';

export { rejectsWithCode };

export interface TestKey {
  id: string;
  secret: string;
}

export const FULL_KEY: TestKey = { id: 'AKIDS3GATEFULL', secret: 'full-secret-of-forty-characters-or-so-000' };
/** May read, write and list under mine/ only. */
export const MINE_KEY: TestKey = { id: 'AKIDS3GATEMINE', secret: 'mine-secret-of-forty-characters-or-so-000' };
/** May read and write under mine/, but not list: a missing key there must look like a refused one. */
export const UNLISTED_KEY: TestKey = { id: 'AKIDS3GATEUNLISTED', secret: 'unlisted-secret-of-forty-characters-000' };

/** Server settings with the three keys above. */
export function keySettings(bucket: string): Record<string, unknown> {
  return {
    auth: {
      keys: [
        { ...FULL_KEY, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] },
        { ...MINE_KEY, grants: [{ bucket, prefix: 'mine/', actions: ['read', 'list', 'write'] }] },
        { ...UNLISTED_KEY, grants: [{ bucket, prefix: 'mine/', actions: ['read', 'write'] }] },
      ],
    },
  };
}

/** The SDK with its default settings (CRC32 checksums, aws-chunked bodies), path-style. */
export const sdkClient = (url: string, key: TestKey = FULL_KEY): S3Client => s3Client(url, key);


export const md5Hex = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');

/** S3's ETag of an object assembled from these parts. */
export function multipartEtag(parts: readonly Buffer[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(createHash('md5').update(part).digest());
  return `"${hash.digest('hex')}-${parts.length}"`;
}

/** The bytes of a response body. */
export async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Buffer> {
  assert.ok(body, 'a body');
  return Buffer.from(await body.transformToByteArray());
}

/** A fresh bucket name for one suite. */
export const bucketName = uniqueBucket;

/** A listening S3 face over a fresh store of `under`, with the keys above and `bucket` made. */
export async function openFace(under: StoreUnderTest, bucket: string): Promise<{ server: TestServer; s3: S3Client; close(): Promise<void> }> {
  const opened = await under.open();
  const server = await startS3Server(opened.store, keySettings(bucket));
  const s3 = sdkClient(server.url);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    server,
    s3,
    async close() {
      s3.destroy();
      await server.close();
      await opened.cleanup();
    },
  };
}
