/** CopyObject through the S3 face, with the real AWS SDK v3 at its defaults, on each store. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest, type TestServer } from '../helpers/server.js';
import { bodyBytes, bucketName, md5Hex, openFace, MINE_KEY, rejectsWithCode, sdkClient, UNLISTED_KEY } from './sdk-support.js';

/** x-amz-copy-source for a key: percent-encoded, its slashes kept. */
const encodedKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

for (const under of storesUnderTest()) {
  describe(`S3 API CopyObject through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    let server: TestServer;
    let s3: S3Client;
    let close: (() => Promise<void>) | undefined;
    const bucket = bucketName('copy');
    const sourceKey = 'a b/ü+%.txt';
    const source = randomBytes(200_000);
    let sourceEtag: string;
    let sourceDate: Date;
    const CopySource = () => `${bucket}/${encodedKey(sourceKey)}`;
    const copy = (Key: string, extra: Record<string, unknown> = {}) => s3.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: CopySource(), ...extra }));
    const bytesOf = async (Key: string) => bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body);

    before(async () => {
      ({ server, s3, close } = await openFace(under, bucket));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: sourceKey,
          Body: source,
          ContentType: 'text/x-source',
          ContentDisposition: 'inline',
          Metadata: { from: 'source' },
          Tagging: 'kind=source',
        }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: sourceKey }));
      sourceEtag = head.ETag ?? '';
      sourceDate = head.LastModified ?? new Date(0);
    });

    after(async () => close?.());

    it('copies a percent-encoded key with its headers, metadata and tags (COPY, the default)', async () => {
      const out = await copy('copies/plain');
      assert.equal(out.CopyObjectResult?.ETag, sourceEtag);
      assert.equal(out.CopyObjectResult?.ETag, `"${md5Hex(source)}"`);
      assert.ok(out.CopyObjectResult?.LastModified instanceof Date);
      assert.deepEqual(await bytesOf('copies/plain'), source);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/plain' }));
      assert.equal(head.ContentType, 'text/x-source');
      assert.equal(head.ContentDisposition, 'inline');
      assert.deepEqual(head.Metadata, { from: 'source' });
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key: 'copies/plain' }), { kind: 'source' });

      // metadata and tags sent with COPY are not the copy's
      await copy('copies/ignored', { ContentType: 'text/ignored', Metadata: { not: 'kept' }, Tagging: 'not=kept', MetadataDirective: 'COPY' });
      const ignored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/ignored' }));
      assert.equal(ignored.ContentType, 'text/x-source');
      assert.deepEqual(ignored.Metadata, { from: 'source' });
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key: 'copies/ignored' }), { kind: 'source' });
    });

    it('reads the source as "/bucket/key" too, and with ?versionId=null, the one version kept', async () => {
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copies/slashed', CopySource: `/${CopySource()}` }));
      assert.deepEqual(await bytesOf('copies/slashed'), source);
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copies/versioned', CopySource: `${CopySource()}?versionId=null` }));
      assert.deepEqual(await bytesOf('copies/versioned'), source);
      await rejectsWithCode(copy('copies/no', { CopySource: `${CopySource()}?versionId=3HL4kqtJlcpXroDTDmJ` }), 'InvalidArgument', 400);
    });

    it('replaces headers, metadata and tags when asked (REPLACE)', async () => {
      await copy('copies/replaced', {
        MetadataDirective: 'REPLACE',
        ContentType: 'application/x-replaced',
        CacheControl: 'no-store',
        Metadata: { from: 'request', extra: 'yes' },
        TaggingDirective: 'REPLACE',
        Tagging: 'kind=copy&stage=2',
      });
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/replaced' }));
      assert.equal(head.ContentType, 'application/x-replaced');
      assert.equal(head.CacheControl, 'no-store');
      assert.equal(head.ContentDisposition, undefined, 'REPLACE keeps nothing of the source headers');
      assert.deepEqual(head.Metadata, { from: 'request', extra: 'yes' });
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key: 'copies/replaced' }), { kind: 'copy', stage: '2' });
      assert.deepEqual(await bytesOf('copies/replaced'), source);
      // tags replaced by none
      await copy('copies/untagged', { TaggingDirective: 'REPLACE' });
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key: 'copies/untagged' }), {});
      assert.deepEqual((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/untagged' }))).Metadata, { from: 'source' });
      await rejectsWithCode(copy('copies/no', { MetadataDirective: 'MERGE' }), 'InvalidArgument', 400);
      await rejectsWithCode(copy('copies/no', { TaggingDirective: 'KEEP' }), 'InvalidArgument', 400);
    });

    it("honours the source's conditions", async () => {
      const other = `"${md5Hex(Buffer.from('other'))}"`;
      const hourAgo = new Date(sourceDate.getTime() - 3_600_000);
      const hourOn = new Date(sourceDate.getTime() + 3_600_000);
      await copy('copies/c1', { CopySourceIfMatch: sourceEtag });
      await copy('copies/c2', { CopySourceIfNoneMatch: other });
      await copy('copies/c3', { CopySourceIfModifiedSince: hourAgo });
      await copy('copies/c4', { CopySourceIfUnmodifiedSince: hourOn });
      // a matching If-Match wins over a failing If-Unmodified-Since, as S3 decides
      await copy('copies/c5', { CopySourceIfMatch: sourceEtag, CopySourceIfUnmodifiedSince: hourAgo });
      for (const failing of [
        { CopySourceIfMatch: other },
        { CopySourceIfNoneMatch: sourceEtag },
        { CopySourceIfModifiedSince: hourOn },
        { CopySourceIfUnmodifiedSince: hourAgo },
      ]) {
        await rejectsWithCode(copy('copies/failed', failing), 'PreconditionFailed', 412);
      }
      await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copies/failed' })), 'NotFound', 404);
    });

    it("honours the target's write conditions", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copies/target', Body: 'old target' }));
      await rejectsWithCode(copy('copies/target', { IfNoneMatch: '*' }), 'PreconditionFailed', 412);
      await rejectsWithCode(copy('copies/target', { IfMatch: `"${md5Hex(Buffer.from('not it'))}"` }), 'PreconditionFailed', 412);
      assert.equal((await bytesOf('copies/target')).toString(), 'old target');
      await copy('copies/target', { IfMatch: `"${md5Hex(Buffer.from('old target'))}"` });
      assert.deepEqual(await bytesOf('copies/target'), source);
      await copy('copies/new-target', { IfNoneMatch: '*' });
    });

    it('copies an object onto itself only with REPLACE', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'self', Body: 'myself', ContentType: 'text/plain', Metadata: { v: '1' } }));
      const self = `${bucket}/self`;
      await rejectsWithCode(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: self })), 'InvalidRequest', 400);
      await rejectsWithCode(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: self, MetadataDirective: 'COPY' })), 'InvalidRequest', 400);
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: self, MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { v: '2' } }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'self' }));
      assert.equal(head.ContentType, 'text/csv');
      assert.deepEqual(head.Metadata, { v: '2' });
      assert.equal((await bytesOf('self')).toString(), 'myself');
    });

    it('refuses sources it cannot read: malformed, missing, in no bucket', async () => {
      await rejectsWithCode(copy('copies/no', { CopySource: 'no-slash-at-all' }), 'InvalidArgument', 400);
      await rejectsWithCode(copy('copies/no', { CopySource: `${bucket}/` }), 'InvalidArgument', 400);
      await rejectsWithCode(copy('copies/no', { CopySource: `${bucket}/bad%zzencoding` }), 'InvalidArgument', 400);
      await rejectsWithCode(copy('copies/no', { CopySource: `${bucket}/never-there` }), 'NoSuchKey', 404);
      await rejectsWithCode(copy('copies/no', { CopySource: `${bucket}-absent/key` }), 'NoSuchBucket', 404);
      // "+" is a plus, not a space: the key with a space instead is another, missing, key
      await rejectsWithCode(copy('copies/no', { CopySource: `${bucket}/a%20b/%C3%BC%20%25.txt` }), 'NoSuchKey', 404);
    });

    it('refuses keys outside the grants, telling nothing of sources the caller may not read or list', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'mine/src', Body: 'mine' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'theirs/secret', Body: 'secret' }));
      const mine = sdkClient(server.url, MINE_KEY);
      const unlisted = sdkClient(server.url, UNLISTED_KEY);
      try {
        const copyAs = (client: S3Client, from: string, to: string) => client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${from}` }));
        await copyAs(mine, 'mine/src', 'mine/dst');
        // a source outside the grant: the same answer whether it exists or not
        await rejectsWithCode(copyAs(mine, 'theirs/secret', 'mine/dst2'), 'AccessDenied', 403);
        await rejectsWithCode(copyAs(mine, 'theirs/never-there', 'mine/dst2'), 'AccessDenied', 403);
        // a target outside the grant
        await rejectsWithCode(copyAs(mine, 'mine/src', 'theirs/dst'), 'AccessDenied', 403);
        await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'theirs/dst' })), 'NotFound', 404);
        // who may list learns that a source is missing; who may not, does not
        await rejectsWithCode(copyAs(mine, 'mine/never-there', 'mine/dst2'), 'NoSuchKey', 404);
        await rejectsWithCode(copyAs(unlisted, 'mine/never-there', 'mine/dst2'), 'AccessDenied', 403);
        await copyAs(unlisted, 'mine/src', 'mine/dst3');
        assert.equal((await bytesOf('mine/dst3')).toString(), 'mine');
      } finally {
        mine.destroy();
        unlisted.destroy();
      }
    });
  });
}
