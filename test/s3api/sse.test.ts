/**
 * Server-side encryption through the S3 face, with the SDK v3 (default checksums): SSE-S3, SSE-KMS with
 * the service's named keys, SSE-C with the client's key, bucket defaults, and the refusals S3 gives. The
 * bytes are compared end to end, and the files under the data dir never hold the plaintext.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { openFsStore } from '../../src/storage/fs/index.js';
import { KeyRing } from '../../src/storage/encryption/index.js';
import { startS3Server, storesUnderTest, tempDir, type TestServer } from '../helpers/server.js';
import { bodyBytes, bucketName, keySettings, rejectsWithCode, sdkClient } from './sdk-support.js';

const RING = new KeyRing([
  { id: 'testkey-1', key: randomBytes(32) },
  { id: 'testkey-2', key: randomBytes(32) },
]);

function customerKey(): { SSECustomerAlgorithm: 'AES256'; SSECustomerKey: string; SSECustomerKeyMD5: string } {
  const key = randomBytes(32);
  return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') };
}

/** `command` with `headers` set on its request, past the SDK's own checks (it would mend a wrong key MD5). */
function withHeaders<C extends { middlewareStack: { add(m: unknown, o: { step: 'build' }): void } }>(command: C, headers: Record<string, string>): C {
  command.middlewareStack.add(
    (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => {
      Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
      return next(args);
    },
    { step: 'build' },
  );
  return command;
}

/** A HEAD's error has no body, so only its status tells. */
async function rejectsWithStatus(promise: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(promise, (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === status);
}

/** Every file under `dir`, read whole (the test's data dirs are small). */
async function allFiles(dir: string): Promise<Buffer[]> {
  const found: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return found;
}

/** Bytes no other test writes, so finding them on disk means they were stored in the clear. */
const marked = (size: number, mark: string): Buffer => {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += mark.length) bytes.write(mark, i, 'latin1');
  return bytes;
};

describe('S3 API: server-side encryption on the fs store', () => {
  const bucket = bucketName('sse');
  let dir: string;
  let server: TestServer;
  let s3: S3Client;
  let closeStore: () => Promise<void>;

  before(async () => {
    dir = await tempDir('sse');
    const store = await openFsStore({ dataDir: dir, keyRing: RING });
    closeStore = async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    };
    server = await startS3Server(store, keySettings(bucket));
    s3 = sdkClient(server.url);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    s3.destroy();
    await server.close();
    await closeStore();
  });

  it('SSE-S3: the answer says AES256, a GET gives the bytes back, the disk never holds them', async () => {
    const body = marked(100_000, 'plaintext-sse-s3-');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3/a', Body: body, ServerSideEncryption: 'AES256' }));
    assert.equal(put.ServerSideEncryption, 'AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/a' }));
    assert.equal(got.ServerSideEncryption, 'AES256');
    assert.ok((await bodyBytes(got.Body)).equals(body));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 's3/a', Range: 'bytes=70001-70100' }));
    assert.ok((await bodyBytes(ranged.Body)).equals(body.subarray(70001, 70101)));
    for (const file of await allFiles(dir)) assert.equal(file.indexOf('plaintext-sse-s3-'), -1, 'a file under the data dir holds the plaintext');
  });

  it('SSE-KMS: the key id asked for is the one reported; an unknown one is refused with nothing stored', async () => {
    const body = Buffer.from('kms bytes');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms/a', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'testkey-2' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'testkey-2');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kms/a' }));
    assert.equal(head.SSEKMSKeyId, 'testkey-2');
    assert.ok((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kms/a' }))).Body)).equals(body));
    await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms/b', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'no-such-key' })), 'KMS.NotFoundException', 400);
    await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kms/b' })), 'NotFound', 404);
  });

  it('SSE-C: reads need the same key; without it, or with another, 400; ranges decrypt', async () => {
    const key = customerKey();
    const body = marked(300_000, 'plaintext-sse-c-');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c/a', Body: body, ...key }));
    assert.equal(put.SSECustomerKeyMD5, key.SSECustomerKeyMD5);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/a', ...key }));
    assert.equal(got.SSECustomerAlgorithm, 'AES256');
    assert.ok((await bodyBytes(got.Body)).equals(body));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/a', Range: 'bytes=12345-200000', ...key }));
    assert.ok((await bodyBytes(ranged.Body)).equals(body.subarray(12345, 200001)));
    await rejectsWithCode(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/a' })), 'InvalidRequest', 400);
    await rejectsWithCode(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c/a', ...customerKey() })), 'InvalidArgument', 400);
    await rejectsWithStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/a' })), 400);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/a', ...key }))).ContentLength, body.length);
    // a listing tells the size, not the bytes
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'c/' }));
    assert.equal(listed.Contents?.[0]?.Size, body.length);
    for (const file of await allFiles(dir)) assert.equal(file.indexOf('plaintext-sse-c-'), -1, 'a file under the data dir holds the plaintext');
  });

  it('SSE-C headers that do not add up are refused before anything is stored', async () => {
    const key = customerKey();
    const put = (extra: Record<string, unknown>) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c/bad', Body: 'x', ...extra }));
    const wrongMd5 = withHeaders(new PutObjectCommand({ Bucket: bucket, Key: 'c/bad', Body: 'x', ...key }), {
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update('other').digest('base64'),
    });
    await rejectsWithCode(s3.send(wrongMd5), 'InvalidArgument', 400, /MD5 hash of the key did not match/);
    await rejectsWithCode(put({ ...key, ServerSideEncryption: 'AES256' }), 'InvalidArgument', 400);
    await rejectsWithCode(put({ SSEKMSKeyId: 'testkey-1' }), 'InvalidArgument', 400);
    await rejectsWithCode(put({ ServerSideEncryption: 'AES128' }), 'InvalidArgument', 400);
    await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/bad' })), 'NotFound', 404);
  });

  it('copies between every pair of modes give the bytes back under the destination mode only', async () => {
    const sourceKey = customerKey();
    const destKey = customerKey();
    const modes = {
      none: { put: {}, read: {}, copySource: {} },
      s3: { put: { ServerSideEncryption: 'AES256' as const }, read: {}, copySource: {} },
      kms: { put: { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'testkey-1' }, read: {}, copySource: {} },
      c: {
        put: sourceKey,
        read: sourceKey,
        copySource: { CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: sourceKey.SSECustomerKey, CopySourceSSECustomerKeyMD5: sourceKey.SSECustomerKeyMD5 },
      },
    };
    const dests = { none: { put: {}, read: {} }, s3: modes.s3, kms: { put: { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'testkey-2' }, read: {} }, c: { put: destKey, read: destKey } };
    for (const [fromName, from] of Object.entries(modes)) {
      const body = randomBytes(10_000);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `copy/${fromName}`, Body: body, ...from.put }));
      for (const [toName, to] of Object.entries(dests)) {
        const target = `copy/${fromName}-to-${toName}`;
        const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: `${bucket}/copy/${fromName}`, ...from.copySource, ...to.put }));
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: target, ...to.read }));
        assert.ok((await bodyBytes(got.Body)).equals(body), `${fromName} → ${toName}`);
        const expected = { none: undefined, s3: 'AES256', kms: 'aws:kms', c: undefined }[toName];
        assert.equal(copied.ServerSideEncryption, expected, `${fromName} → ${toName}`);
        assert.equal(got.ServerSideEncryption, expected, `${fromName} → ${toName}`);
        assert.equal(got.SSECustomerKeyMD5, toName === 'c' ? destKey.SSECustomerKeyMD5 : undefined, `${fromName} → ${toName}`);
      }
    }
    // the source's key is needed to read it
    await rejectsWithCode(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy/nokey', CopySource: `${bucket}/copy/c` })), 'InvalidRequest', 400);
  });

  it('an SSE-C multipart upload needs the key on every part, part copy and the completion', async () => {
    const key = customerKey();
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/c', ...key }));
    assert.equal(created.SSECustomerKeyMD5, key.SSECustomerKeyMD5);
    const UploadId = created.UploadId;
    const first = randomBytes(5 * 1024 * 1024);
    await rejectsWithCode(s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp/c', UploadId, PartNumber: 1, Body: first })), 'InvalidRequest', 400);
    await rejectsWithCode(s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp/c', UploadId, PartNumber: 1, Body: first, ...customerKey() })), 'InvalidArgument', 400);
    const part1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp/c', UploadId, PartNumber: 1, Body: first, ...key }));
    assert.equal(part1.SSECustomerKeyMD5, key.SSECustomerKeyMD5);
    const secondSource = randomBytes(200_000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'mp/plain', Body: secondSource }));
    const part2 = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'mp/c', UploadId, PartNumber: 2, CopySource: `${bucket}/mp/plain`, ...key }));
    const Parts = [
      { PartNumber: 1, ETag: part1.ETag },
      { PartNumber: 2, ETag: part2.CopyPartResult?.ETag },
    ];
    await rejectsWithCode(s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'mp/c', UploadId, MultipartUpload: { Parts } })), 'InvalidRequest', 400);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'mp/c', UploadId, MultipartUpload: { Parts }, ...key }));
    const whole = Buffer.concat([first, secondSource]);
    assert.ok((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/c', ...key }))).Body)).equals(whole));
    // a range across the parts' boundary
    const start = first.length - 1000;
    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/c', Range: `bytes=${start}-${start + 4999}`, ...key }));
    assert.ok((await bodyBytes(ranged.Body)).equals(whole.subarray(start, start + 5000)));
  });

  it('a bucket default encrypts writes that ask for none, and goes away when deleted', async () => {
    const other = bucketName('sse-default');
    await s3.send(new CreateBucketCommand({ Bucket: other }));
    await rejectsWithCode(s3.send(new GetBucketEncryptionCommand({ Bucket: other })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: other,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'testkey-2' } }] },
      }),
    );
    const config = await s3.send(new GetBucketEncryptionCommand({ Bucket: other }));
    assert.deepEqual(config.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault, { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'testkey-2' });
    const put = await s3.send(new PutObjectCommand({ Bucket: other, Key: 'a', Body: 'defaulted' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'testkey-2');
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket: other, Key: 'mp' }));
    assert.equal(mp.ServerSideEncryption, 'aws:kms');
    await rejectsWithCode(
      s3.send(new PutBucketEncryptionCommand({ Bucket: other, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'nope' } }] } })),
      'KMS.NotFoundException',
      400,
    );
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: other }));
    const plain = await s3.send(new PutObjectCommand({ Bucket: other, Key: 'b', Body: 'plain' }));
    assert.equal(plain.ServerSideEncryption, undefined);
    assert.equal((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: other, Key: 'a' }))).Body)).toString(), 'defaulted');
  });

  it('a GET that asks to encrypt is refused', async () => {
    const get = withHeaders(new GetObjectCommand({ Bucket: bucket, Key: 's3/a' }), { 'x-amz-server-side-encryption': 'AES256' });
    await rejectsWithCode(s3.send(get), 'InvalidArgument', 400);
  });
});

describe('S3 API: server-side encryption where the store offers none', () => {
  for (const under of storesUnderTest().filter((s) => s.name !== 'fs')) {
    it(`${under.name}: an SSE-S3 write is refused with 501 and nothing is stored`, { skip: under.skip }, async () => {
      const bucket = bucketName('sse-none');
      const opened = await under.open();
      const server = await startS3Server(opened.store, keySettings(bucket));
      const s3 = sdkClient(server.url);
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x', ServerSideEncryption: 'AES256' })), 'NotImplemented', 501);
        await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' })), 'NotFound', 404);
      } finally {
        s3.destroy();
        await server.close();
        await opened.cleanup();
      }
    });
  }
  it('fs without keys: SSE-S3 is refused with 501, SSE-C still works', async () => {
    const bucket = bucketName('sse-nokeys');
    const dir = await tempDir('sse-nokeys');
    const store = await openFsStore({ dataDir: dir });
    const server = await startS3Server(store, keySettings(bucket));
    const s3 = sdkClient(server.url);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await rejectsWithCode(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'x', ServerSideEncryption: 'AES256' })), 'NotImplemented', 501);
      const key = customerKey();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'customer', ...key }));
      assert.equal((await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', ...key }))).Body)).toString(), 'customer');
    } finally {
      s3.destroy();
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
