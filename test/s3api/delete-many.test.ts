/** DeleteObjects through the AWS SDK v3 (default settings) and raw requests, on each store. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { byteOrder, expectS3Error, freshBucketName, openS3Fixture, putKeys, sdkClient, type S3Fixture } from '../helpers/s3-sdk-calls.js';

const KEY = { id: 'AKIDDELETEMANYTEST', secret: 'delete-many-test-secret-of-forty-chars-000' };
const MINE_ONLY = { id: 'AKIDDELETEMINEONLY', secret: 'delete-many-test-secret-for-mine-prefix-00' };

const md5 = (text: string) => createHash('md5').update(text).digest('base64');

const deleteDocument = (keys: readonly string[], quiet = false) =>
  `<Delete>${quiet ? '<Quiet>true</Quiet>' : ''}${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;

for (const under of storesUnderTest()) {
  describe(`S3 API DeleteObjects (${under.name})`, { skip: under.skip }, () => {
    let fixture: S3Fixture;
    let s3: S3Client;
    const bucket = freshBucketName('delmany');

    const keysLeft = async (prefix: string) => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => o.Key!);
    };

    before(async () => {
      fixture = await openS3Fixture(under, bucket, [
        { ...KEY, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] },
        { ...MINE_ONLY, grants: [{ bucket, prefix: 'forbid/mine/', actions: ['read', 'list', 'write', 'delete'] }] },
      ]);
      s3 = fixture.s3;
    });

    after(() => fixture?.close());

    it('deletes keys and answers each one, a missing key and version "null" included', async () => {
      const keys = ['verbose/a', 'verbose/b c', 'verbose/ünï', 'verbose/x&<y>', 'verbose/0001'];
      await putKeys(s3, bucket, keys);
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: [...keys.map((Key) => ({ Key })), { Key: 'verbose/never-there' }, { Key: 'verbose/a', VersionId: 'null' }] },
        }),
      );
      assert.equal(out.Errors, undefined);
      assert.deepEqual(
        out.Deleted?.map((d) => d.Key!).sort(byteOrder),
        [...keys, 'verbose/never-there', 'verbose/a'].sort(byteOrder),
      );
      assert.equal(out.Deleted?.find((d) => d.VersionId !== undefined)?.VersionId, 'null');
      assert.deepEqual(await keysLeft('verbose/'), []);
    });

    it('in quiet mode answers only the failures', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `quiet/${i}`);
      await putKeys(s3, bucket, keys);
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [...keys.map((Key) => ({ Key })), { Key: 'quiet/0', VersionId: 'v2' }] } }));
      assert.equal(out.Deleted, undefined);
      assert.deepEqual(out.Errors?.map((e) => [e.Key, e.VersionId, e.Code]), [['quiet/0', 'v2', 'NoSuchVersion']]);
      assert.deepEqual(await keysLeft('quiet/'), []);
    });

    it('refuses, key by key, what the caller may not delete, and deletes the rest', async () => {
      await putKeys(s3, bucket, ['forbid/mine/1', 'forbid/mine/2', 'forbid/theirs/1']);
      const limited = sdkClient(fixture.server.url, MINE_ONLY);
      try {
        const out = await limited.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'forbid/mine/1' }, { Key: 'forbid/theirs/1' }, { Key: 'forbid/mine/2' }] } }),
        );
        assert.deepEqual(out.Deleted?.map((d) => d.Key), ['forbid/mine/1', 'forbid/mine/2']);
        assert.deepEqual(out.Errors?.map((e) => [e.Key, e.Code]), [['forbid/theirs/1', 'AccessDenied']]);
        // a caller who may delete nothing here learns nothing of the bucket, not even whether it exists
        const none = await limited.send(new DeleteObjectsCommand({ Bucket: `${bucket}-absent`, Delete: { Objects: [{ Key: 'forbid/mine/1' }] } }));
        assert.deepEqual(none.Errors?.map((e) => e.Code), ['AccessDenied']);
      } finally {
        limited.destroy();
      }
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'forbid/theirs/1' }));
      assert.deepEqual(await keysLeft('forbid/'), ['forbid/theirs/1']);
      await expectS3Error(s3.send(new DeleteObjectsCommand({ Bucket: `${bucket}-absent`, Delete: { Objects: [{ Key: 'k' }] } })), 'NoSuchBucket', 404);
    });

    it('takes 1,000 keys and refuses 1,001 as MalformedXML, deleting nothing', async () => {
      const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
      await putKeys(s3, bucket, keys.slice(0, 3));
      await expectS3Error(s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } })), 'MalformedXML', 400);
      assert.equal((await keysLeft('many/')).length, 3);
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: keys.slice(0, 1000).map((Key) => ({ Key })) } }));
      assert.equal(out.Errors, undefined);
      assert.deepEqual(await keysLeft('many/'), []);
    });

    it('checks the document against Content-MD5 or a checksum, and requires one', async () => {
      await putKeys(s3, bucket, ['raw/1', 'raw/2']);
      const url = `${fixture.open.url}/${bucket}?delete`;
      const body = deleteDocument(['raw/1']);
      const wrong = await fetch(url, { method: 'POST', body, headers: { 'content-md5': md5('something else') } });
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), /<Code>BadDigest<\/Code>/);
      const wrongCrc = await fetch(url, { method: 'POST', body, headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
      assert.equal(wrongCrc.status, 400);
      assert.match(await wrongCrc.text(), /<Code>BadDigest<\/Code>/);
      const missing = await fetch(url, { method: 'POST', body });
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5<\/Message>/);
      assert.deepEqual(await keysLeft('raw/'), ['raw/1', 'raw/2']);

      const good = await fetch(url, { method: 'POST', body: deleteDocument(['raw/1', 'raw/2']), headers: { 'content-md5': md5(deleteDocument(['raw/1', 'raw/2'])) } });
      assert.equal(good.status, 200);
      assert.match(await good.text(), /<DeleteResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Deleted><Key>raw\/1<\/Key><\/Deleted><Deleted><Key>raw\/2<\/Key><\/Deleted><\/DeleteResult>/);
      assert.deepEqual(await keysLeft('raw/'), []);

      for (const bad of ['<Delete></Delete>', '<Delete><Object><VersionId>null</VersionId></Object></Delete>', 'not xml <', '<Other/>']) {
        const refused = await fetch(url, { method: 'POST', body: bad, headers: { 'content-md5': md5(bad) } });
        assert.equal(refused.status, 400, bad);
        assert.match(await refused.text(), /<Code>MalformedXML<\/Code>/, bad);
      }
    });
  });
}
