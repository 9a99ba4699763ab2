/** Buckets' tags through the S3 face: Get/Put/DeleteBucketTagging with the AWS SDK (default settings), limits, malformed documents. On each store. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  DeleteObjectCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import { describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { errorCode, KEYED, raw, rejectsWithCode, settingsFixture, uniqueBucket } from './settings-support.js';

const byKey = (tags: Tag[]): Tag[] => [...tags].sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1));

const tagSet = (count: number, value = 'v'): Tag[] => Array.from({ length: count }, (_, i) => ({ Key: `key-${i}`, Value: value }));

for (const under of storesUnderTest()) {
  describe(`bucket tags through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    const bucket = uniqueBucket('tags');
    const fx = settingsFixture(under, KEYED, [bucket]);

    const put = (TagSet: Tag[], on = bucket) => fx.s3.send(new PutBucketTaggingCommand({ Bucket: on, Tagging: { TagSet } }));
    // a tag set is a set: Ceph RGW gives it back sorted
    const get = async (on = bucket) => byKey((await fx.s3.send(new GetBucketTaggingCommand({ Bucket: on }))).TagSet ?? []);

    it('puts, gets, replaces and deletes the tags', async () => {
      await rejectsWithCode(fx.s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
      const tags: Tag[] = [
        { Key: 'project', Value: 'gate' },
        { Key: 'ünï cödé', Value: 'välue / + = . _ : @' },
        { Key: 'empty', Value: '' },
      ];
      const answer = await put(tags);
      assert.equal(answer.$metadata.httpStatusCode, 204);
      assert.deepEqual(await get(), byKey(tags));
      await put([{ Key: 'only', Value: 'this' }]);
      assert.deepEqual(await get(), [{ Key: 'only', Value: 'this' }]);
      const deleted = await fx.s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWithCode(fx.s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
      await fx.s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket })); // none left: still fine
    });

    it("keeps the bucket's tags apart from its objects' tags", async () => {
      await put([{ Key: 'scope', Value: 'bucket' }]);
      // object tagging is another face's operation: its tags are set through the store here
      await fx.server.store.putObject({ bucket, key: 'tagged', body: Readable.from([Buffer.from('x')]), tags: { scope: 'object' } });
      assert.deepEqual(await get(), [{ Key: 'scope', Value: 'bucket' }]);
      assert.deepEqual(await fx.server.store.getObjectTagging({ bucket, key: 'tagged' }), { scope: 'object' });
      await fx.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tagged' }));
    });

    it('takes up to 50 tags of S3 lengths, and refuses more or longer with InvalidTag', async () => {
      await put(tagSet(50, 'v'.repeat(256)));
      assert.equal((await get()).length, 50);
      await rejectsWithCode(put(tagSet(51)), 'InvalidTag', 400);
      await rejectsWithCode(put([{ Key: 'k'.repeat(129), Value: 'v' }]), 'InvalidTag', 400);
      await rejectsWithCode(put([{ Key: 'k', Value: 'v'.repeat(257) }]), 'InvalidTag', 400);
      await rejectsWithCode(put([{ Key: 'same', Value: '1' }, { Key: 'same', Value: '2' }]), 'InvalidTag', 400);
      assert.equal((await get()).length, 50, 'the refusals changed nothing');
    });

    it('lets a key that may list read the tags, and only an admin key change them', async () => {
      await put([{ Key: 'readable', Value: 'yes' }]);
      assert.deepEqual((await fx.reader.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet, [{ Key: 'readable', Value: 'yes' }]);
      await rejectsWithCode(fx.reader.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [] } })), 'AccessDenied', 403);
      await rejectsWithCode(fx.reader.send(new DeleteBucketTaggingCommand({ Bucket: bucket })), 'AccessDenied', 403);
      assert.deepEqual(await get(), [{ Key: 'readable', Value: 'yes' }]);
    });

    it('removes the tags with an empty tag set, and with the bucket', async () => {
      await put([{ Key: 'soon', Value: 'gone' }]);
      await put([]);
      await rejectsWithCode(fx.s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
      const other = uniqueBucket('gone');
      await fx.s3.send(new CreateBucketCommand({ Bucket: other }));
      await put([{ Key: 'with', Value: 'the bucket' }], other);
      await fx.s3.send(new DeleteBucketCommand({ Bucket: other }));
      await fx.s3.send(new CreateBucketCommand({ Bucket: other }));
      await rejectsWithCode(fx.s3.send(new GetBucketTaggingCommand({ Bucket: other })), 'NoSuchTagSet', 404);
      await fx.s3.send(new DeleteBucketCommand({ Bucket: other }));
    });

    it('answers NoSuchBucket for a bucket that does not exist', async () => {
      const missing = uniqueBucket('notags');
      await rejectsWithCode(fx.s3.send(new GetBucketTaggingCommand({ Bucket: missing })), 'NoSuchBucket', 404);
      await rejectsWithCode(put([{ Key: 'a', Value: 'b' }], missing), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.s3.send(new DeleteBucketTaggingCommand({ Bucket: missing })), 'NoSuchBucket', 404);
    });
  });

  describe(`bucket tag documents (${under.name}, a server without keys)`, { skip: under.skip }, () => {
    const bucket = uniqueBucket('tagxml');
    const fx = settingsFixture(under, {}, [bucket]);

    it('refuses malformed documents with MalformedXML, and checks Content-MD5 when given', async () => {
      const putTags = (body: string, headers: Record<string, string> = {}) => raw(fx.server.url, 'PUT', `/${bucket}?tagging`, headers, body);
      for (const body of [
        '<Tagging><TagSet><Tag><Key>a</Key>',
        '<Tagging/>',
        '<CORSConfiguration/>',
        '<Tagging><TagSet><Tag><Value>no key</Value></Tag></TagSet></Tagging>',
        '<Tagging><TagSet><Tag><Key>a</Key><Colour>red</Colour></Tag></TagSet></Tagging>',
      ]) {
        const answer = await putTags(body);
        assert.equal(answer.status, 400, body);
        assert.equal(errorCode(answer.text), 'MalformedXML', body);
      }
      const good = '<Tagging>\n  <TagSet>\n    <Tag><Key>team</Key><Value>storage</Value></Tag>\n  </TagSet>\n</Tagging>';
      const md5 = (text: string) => createHash('md5').update(text).digest('base64');
      const wrong = await putTags(good, { 'content-md5': md5('something else') });
      assert.equal(errorCode(wrong.text), 'BadDigest');
      assert.equal((await fetch(`${fx.server.url}/${bucket}?tagging`)).status, 404, 'nothing stored');
      assert.equal((await putTags(good, { 'content-md5': md5(good) })).status, 204);
      const got = await fetch(`${fx.server.url}/${bucket}?tagging`);
      assert.match(await got.text(), /<Tagging xmlns="[^"]+"><TagSet><Tag><Key>team<\/Key><Value>storage<\/Value><\/Tag><\/TagSet><\/Tagging>/);
    });
  });
}
