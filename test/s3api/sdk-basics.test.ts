/** The S3 face through the real AWS SDK v3, default settings (its CRC32 checksums, aws-chunked bodies), on each store. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../helpers/suites.js';
import { startS3Server, storesUnderTest, type TestServer } from '../helpers/server.js';

const KEY = { id: 'AKIDS3GATETEST', secret: 'test-secret-of-forty-characters-or-so-0000' };

function client(url: string, credentials = { accessKeyId: KEY.id, secretAccessKey: KEY.secret }): S3Client {
  return new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials });
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof S3ServiceException, `an S3 error, got ${String(err)}`);
    assert.equal(err.name, code);
    assert.equal(err.$metadata.httpStatusCode, status);
    return true;
  });
}

for (const under of storesUnderTest()) {
  describe(`S3 API basics through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    let server: TestServer;
    let s3: S3Client;
    let cleanup: () => Promise<void>;
    const bucket = `sdk-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

    before(async () => {
      const opened = await under.open();
      cleanup = opened.cleanup;
      server = await startS3Server(opened.store, { auth: { keys: [{ id: KEY.id, secret: KEY.secret, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] }] } });
      s3 = client(server.url);
    });

    after(async () => {
      s3?.destroy();
      await server?.close();
      await cleanup?.();
    });

    it('creates, heads and lists a bucket, and tells where it is', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      const listed = await s3.send(new ListBucketsCommand({}));
      assert.ok(listed.Buckets?.some((b) => b.Name === bucket));
      assert.equal(listed.Owner?.ID, KEY.id);
      const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
      assert.equal(location.LocationConstraint ?? '', '');
      // as Ceph RGW answers it: a key cannot tell whose the bucket is
      await rejectsWithCode(s3.send(new CreateBucketCommand({ Bucket: bucket })), 'BucketAlreadyExists', 409);
    });

    it('puts with the default checksums and gets the same bytes, whole and by range', async () => {
      const data = randomBytes(300_000);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/blob.bin', Body: data, ContentType: 'application/x-test', Metadata: { origin: 'sdk' } }));
      assert.match(put.ETag ?? '', /^"[0-9a-f]{32}"$/);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/blob.bin' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
      assert.equal(got.ContentType, 'application/x-test');
      assert.deepEqual(got.Metadata, { origin: 'sdk' });
      const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/blob.bin', Range: 'bytes=100-199' }));
      assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), data.subarray(100, 200));
      assert.equal(ranged.ContentRange, `bytes 100-199/${data.length}`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/blob.bin' }));
      assert.equal(head.ContentLength, data.length);
      assert.equal(head.ETag, put.ETag);
    });

    it('streams a body of unknown length (aws-chunked with a CRC32 trailer)', async () => {
      const { Readable } = await import('node:stream');
      const parts = [randomBytes(70_000), randomBytes(70_000), randomBytes(5)];
      const body = Readable.from(parts);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed', Body: body, ContentLength: 140_005 }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(parts));
    });

    it('answers S3 errors: a missing key, a wrong secret, an unknown key id', async () => {
      await rejectsWithCode(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })), 'NoSuchKey', 404);
      const wrong = client(server.url, { accessKeyId: KEY.id, secretAccessKey: 'not-the-secret' });
      await rejectsWithCode(wrong.send(new PutObjectCommand({ Bucket: bucket, Key: 'wrong', Body: 'x' })), 'SignatureDoesNotMatch', 403);
      const unknown = client(server.url, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' });
      await rejectsWithCode(unknown.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
      wrong.destroy();
      unknown.destroy();
      await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'wrong' })), 'NotFound', 404);
    });

    it('deletes objects and the bucket', async () => {
      for (const key of ['dir/blob.bin', 'streamed', 'never-there']) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      await rejectsWithCode(s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
    });
  });
}
