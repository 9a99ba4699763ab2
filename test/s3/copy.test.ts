/**
 * The s3 store's copies on Ceph RGW: a multipart copy above copyThreshold (here 12 MiB in 5 MiB parts, so a
 * real one runs), with the directives kept; part copies by range with source conditions; the streamed
 * path for source keys RGW 16 cannot take in UploadPartCopy; clean-up when a copy stops; every refusal.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { describe, it, before } from '../helpers/suites.js';
import { readAll } from '../helpers/streams.js';
import { until } from '../helpers/until.js';
import { MiB, rejectsWith, rgwFixture, skipUnlessS3, streamOf } from './rgw-fixture.js';

const PART = 5 * MiB;
const quotedMd5 = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

/** The ETag of `data` copied in parts of `partSize`. */
function partsEtag(data: Buffer, partSize: number): string {
  const outer = createHash('md5');
  let parts = 0;
  for (let at = 0; at < data.length; at += partSize, parts++) outer.update(createHash('md5').update(data.subarray(at, at + partSize)).digest());
  return `"${outer.digest('hex')}-${parts}"`;
}

describe('s3 store copies on RGW', skipUnlessS3, () => {
  const rgw = rgwFixture({ copyThreshold: 12 * MiB, copyPartSize: PART, queueSize: 2 });
  const { bucket } = rgw;
  const big = randomBytes(13 * MiB + 4321);
  const awkward = 'big/sp ace+plus%25é';

  const openUploads = async (prefix: string) =>
    ((await rgw.client().send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? []).length;

  before(async () => {
    const headers = { contentType: 'application/x-big', cacheControl: 'no-cache', metadata: { origin: 'big' }, tags: { size: 'large' } };
    for (const key of ['big/plain', awkward]) {
      await rgw.store().putObject({ bucket, key, body: streamOf(big), contentLength: big.length, ...headers });
    }
  });

  for (const source of ['big/plain', awkward]) {
    it(`copies ${source === awkward ? 'a percent-encoded key (GET streamed into parts)' : 'a large object'} in parts, keeping headers, metadata and tags`, async () => {
      const store = rgw.store();
      const key = `${source}/copy`;
      const meta = await store.copyObject({ sourceBucket: bucket, sourceKey: source, bucket, key });
      assert.equal(meta.etag, partsEtag(big, PART), 'three parts of 5 MiB');
      assert.equal(meta.size, big.length);
      assert.equal(meta.contentType, 'application/x-big');
      assert.equal(meta.cacheControl, 'no-cache');
      assert.deepEqual(meta.metadata, { origin: 'big' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key }), { size: 'large' });
      assert.ok((await readAll((await store.getObject({ bucket, key })).body)).equals(big));
      assert.equal(await openUploads(key), 0);
    });
  }

  it('copies a large object in parts with REPLACE directives', async () => {
    const store = rgw.store();
    const key = 'big/replaced';
    const meta = await store.copyObject({
      sourceBucket: bucket,
      sourceKey: 'big/plain',
      bucket,
      key,
      metadataDirective: 'REPLACE',
      headers: { contentType: 'text/x-new', contentDisposition: 'inline', metadata: { fresh: '1' } },
      taggingDirective: 'REPLACE',
      tags: { new: 'tag' },
    });
    assert.equal(meta.contentType, 'text/x-new');
    assert.equal(meta.cacheControl, undefined);
    assert.equal(meta.contentDisposition, 'inline');
    assert.deepEqual(meta.metadata, { fresh: '1' });
    assert.deepEqual(await store.getObjectTagging({ bucket, key }), { new: 'tag' });
    assert.ok((await readAll((await store.getObject({ bucket, key })).body)).equals(big));
  });

  it('checks source and destination conditions before a large copy, copying nothing when one fails', async () => {
    const store = rgw.store();
    const { etag } = await store.headObject({ bucket, key: 'big/plain' });
    const copy = (key: string, extra: object) => store.copyObject({ sourceBucket: bucket, sourceKey: 'big/plain', bucket, key, ...extra });
    await rejectsWith(copy('big/refused', { sourceConditions: { ifMatch: quotedMd5(Buffer.from('no')) } }), 'PreconditionFailed');
    await rejectsWith(copy('big/refused', { sourceConditions: { ifNoneMatch: etag } }), 'PreconditionFailed');
    await rejectsWith(copy('big/refused', { sourceConditions: { ifModifiedSince: new Date(Date.now() + 3600_000) } }), 'PreconditionFailed');
    await rejectsWith(copy('big/refused', { sourceConditions: { ifUnmodifiedSince: new Date(Date.now() - 3600_000) } }), 'PreconditionFailed');
    await rejectsWith(copy('big/plain/copy', { ifNoneMatch: '*' }), 'PreconditionFailed');
    await rejectsWith(store.headObject({ bucket, key: 'big/refused' }), 'NoSuchKey');
    // If-Match decides over a failing If-Unmodified-Since, as in S3
    await copy('big/matched', { sourceConditions: { ifMatch: etag, ifUnmodifiedSince: new Date(Date.now() - 3600_000) } });
    assert.equal(await openUploads('big/'), 0);
  });

  it('aborts the multipart copy when its signal aborts, leaving no upload and no object', async () => {
    const store = rgw.store();
    const key = 'big/stopped';
    const controller = new AbortController();
    const copying = store.copyObject({ sourceBucket: bucket, sourceKey: awkward, bucket, key, signal: controller.signal });
    const failed = assert.rejects(copying, { name: 'AbortError' });
    await until('the copy began its upload', async () => (await openUploads(key)) > 0);
    controller.abort();
    await failed;
    assert.equal(await openUploads(key), 0, 'the upload was aborted before the copy answered');
    await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
  });

  for (const source of ['big/plain', awkward]) {
    it(`copies ranges of ${source === awkward ? 'a percent-encoded key' : 'an object'} into parts, with conditions on the source`, async () => {
      const store = rgw.store();
      const key = `${source}/ranges`;
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      const { etag } = await store.headObject({ bucket, key: source });
      const copy = (partNumber: number, start: number, end: number, sourceConditions?: object) =>
        store.uploadPartCopy({ bucket, key, uploadId, partNumber, sourceBucket: bucket, sourceKey: source, sourceRange: { start, end }, sourceConditions });
      const first = await copy(1, 3, PART + 2, { ifMatch: etag });
      const second = await copy(2, 2 * PART, 2 * PART + 99, { ifNoneMatch: quotedMd5(Buffer.from('other')) });
      assert.deepEqual([first.etag, first.size], [quotedMd5(big.subarray(3, PART + 3)), PART]);
      assert.deepEqual([second.etag, second.size], [quotedMd5(big.subarray(2 * PART, 2 * PART + 100)), 100]);
      await rejectsWith(copy(3, 0, 9, { ifMatch: quotedMd5(Buffer.from('other')) }), 'PreconditionFailed');
      await rejectsWith(copy(3, 0, 9, { ifNoneMatch: etag }), 'PreconditionFailed');
      await rejectsWith(copy(3, 0, big.length), 'InvalidRange');
      await rejectsWith(copy(3, 10, 9), 'InvalidRange');
      const meta = await store.completeMultipartUpload({ bucket, key, uploadId, parts: [first, second] });
      assert.equal(meta.size, PART + 100);
      const got = await readAll((await store.getObject({ bucket, key })).body);
      assert.ok(got.equals(Buffer.concat([big.subarray(3, PART + 3), big.subarray(2 * PART, 2 * PART + 100)])));
    });
  }

  it('names the missing source of a copy', async () => {
    const store = rgw.store();
    const { uploadId } = await store.createMultipartUpload({ bucket, key: 'missing/part' });
    const part = (sourceBucket: string, sourceKey: string) =>
      store.uploadPartCopy({ bucket, key: 'missing/part', uploadId, partNumber: 1, sourceBucket, sourceKey });
    await rejectsWith(part(bucket, 'missing/source'), 'NoSuchKey');
    await rejectsWith(part(`${bucket}-missing`, 'missing/source'), 'NoSuchBucket');
    await rejectsWith(store.copyObject({ sourceBucket: bucket, sourceKey: 'missing/source', bucket, key: 'missing/copy' }), 'NoSuchKey');
    await rejectsWith(store.copyObject({ sourceBucket: bucket, sourceKey: 'big/plain', bucket: `${bucket}-missing`, key: 'x' }), 'NoSuchBucket');
    await rejectsWith(
      store.uploadPartCopy({ bucket, key: 'missing/part', uploadId: '2~nosuchupload', partNumber: 1, sourceBucket: bucket, sourceKey: 'big/plain', sourceRange: { start: 0, end: 9 } }),
      'NoSuchUpload',
    );
    await store.abortMultipartUpload({ bucket, key: 'missing/part', uploadId });
  });
});
