/** ACLs, object tagging and GetObjectAttributes through the AWS SDK v3 (default settings), on each store. */
import assert from 'node:assert/strict';
import {
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectTaggingCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { expectS3Error, freshBucketName, openS3Fixture, sdkClient, type S3Fixture } from '../helpers/s3-sdk-calls.js';

const KEY = { id: 'AKIDACLTAGGINGTEST', secret: 'acl-tagging-test-secret-of-forty-chars-000' };
const READER = { id: 'AKIDACLTAGGINGREAD', secret: 'acl-tagging-test-secret-read-only-key-0000' };

const OWNER_FULL_CONTROL = [{ Grantee: { Type: 'CanonicalUser' as const, ID: KEY.id, DisplayName: KEY.id }, Permission: 'FULL_CONTROL' as const }];

for (const under of storesUnderTest()) {
  describe(`S3 API ACLs, object tagging and attributes (${under.name})`, { skip: under.skip }, () => {
    let fixture: S3Fixture;
    let s3: S3Client;
    let reader: S3Client;
    const bucket = freshBucketName('acltag');

    before(async () => {
      fixture = await openS3Fixture(under, bucket, [
        { ...KEY, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] },
        { ...READER, grants: [{ bucket, actions: ['read', 'list'] }] },
      ]);
      s3 = fixture.s3;
      reader = sdkClient(fixture.server.url, READER);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doc', Body: 'some bytes' }));
    });

    after(async () => {
      reader?.destroy();
      await fixture?.close();
    });

    it("answers a bucket's ACL as the owner's FULL_CONTROL, and accepts only that back", async () => {
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
      assert.equal(acl.Owner?.ID, KEY.id);
      assert.deepEqual(acl.Grants, OWNER_FULL_CONTROL);
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
      await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' })), 'NotImplemented', 501);
      const allUsers = { Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' as const };
      await expectS3Error(
        s3.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: [...OWNER_FULL_CONTROL, allUsers] } })),
        'NotImplemented',
        501,
      );
      const otherUser = [{ Grantee: { Type: 'CanonicalUser' as const, ID: 'someone-else' }, Permission: 'FULL_CONTROL' as const }];
      await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: otherUser } })), 'NotImplemented', 501);
      await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: bucket, GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })), 'NotImplemented', 501);
      await expectS3Error(s3.send(new GetBucketAclCommand({ Bucket: `${bucket}-absent` })), 'NoSuchBucket', 404);
      await expectS3Error(reader.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' })), 'AccessDenied', 403);
    });

    it("answers an object's ACL, for an object that exists, to who may read it; changes it only to private", async () => {
      const acl = await reader.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'doc' }));
      assert.equal(acl.Owner?.ID, READER.id); // every key acts for the one owner
      assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
      await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'doc', ACL: 'private' }));
      await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'doc', ACL: 'public-read' })), 'NotImplemented', 501);
      await expectS3Error(reader.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'doc', ACL: 'private' })), 'AccessDenied', 403);
      await expectS3Error(s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'absent' })), 'NoSuchKey', 404);
      await expectS3Error(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'absent', ACL: 'private' })), 'NoSuchKey', 404);
      const raw = await (await fetch(`${fixture.open.url}/${bucket}/doc?acl`)).text();
      assert.match(raw, /<Grantee xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xsi:type="CanonicalUser"><ID>s3gate<\/ID>/);
    });

    it('keeps, answers and deletes an object\'s tags', async () => {
      const TagSet = [
        { Key: 'project', Value: 'blue sky' },
        { Key: 'ünïcode', Value: 'välue/with:chars=+-@' },
        { Key: 'empty', Value: '' },
        { Key: '0001', Value: '0002' },
      ];
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet } }));
      const got = await reader.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'doc' }));
      const byKey = (a: { Key?: string }, b: { Key?: string }) => (a.Key! < b.Key! ? -1 : 1);
      assert.deepEqual([...(got.TagSet ?? [])].sort(byKey), [...TagSet].sort(byKey));
      await expectS3Error(reader.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet: [] } })), 'AccessDenied', 403);
      const deleted = await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'doc' }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'doc' }))).TagSet ?? [], []);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'x', Tagging: 'a=1&b=two%20words' }));
      const fromPut = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }));
      assert.deepEqual([...(fromPut.TagSet ?? [])].sort(byKey), [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two words' }]);
      await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'absent' })), 'NoSuchKey', 404);
      await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'absent', Tagging: { TagSet } })), 'NoSuchKey', 404);
    });

    it("refuses tags beyond S3's limits with InvalidTag, keeping the old ones", async () => {
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet: [{ Key: 'kept', Value: 'yes' }] } }));
      const tooMany = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      const refused = [
        tooMany,
        [{ Key: 'k'.repeat(129), Value: 'v' }],
        [{ Key: 'k', Value: 'v'.repeat(257) }],
        [{ Key: 'same', Value: '1' }, { Key: 'same', Value: '2' }],
        [{ Key: '', Value: 'v' }],
      ];
      for (const TagSet of refused) {
        await expectS3Error(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet } })), 'InvalidTag', 400);
      }
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet: tooMany.slice(0, 10) } }));
      const ten = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'doc' }));
      assert.equal(ten.TagSet?.length, 10);
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'doc', Tagging: { TagSet: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }] } }));
    });

    it("answers an object's attributes: ETag, checksum, storage class, size", async () => {
      const body = 'attribute bytes';
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'attrs', Body: body, ChecksumAlgorithm: 'SHA256' }));
      const attrs = await reader.send(
        new GetObjectAttributesCommand({ Bucket: bucket, Key: 'attrs', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }),
      );
      assert.equal(attrs.ETag, put.ETag?.replaceAll('"', '')); // unquoted here
      assert.equal(attrs.ObjectSize, body.length);
      assert.equal(attrs.StorageClass, 'STANDARD');
      assert.equal(attrs.ObjectParts, undefined); // a single-part object
      assert.ok(attrs.LastModified instanceof Date);
      assert.equal(attrs.Checksum?.ChecksumSHA256, put.ChecksumSHA256);
      if (under.name === 'fs') assert.equal(attrs.Checksum?.ChecksumType, 'FULL_OBJECT'); // fs keeps every checksum
      const sizeOnly = await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'attrs', ObjectAttributes: ['ObjectSize'] }));
      assert.equal(sizeOnly.ObjectSize, body.length);
      assert.equal(sizeOnly.ETag, undefined);
      await expectS3Error(s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'absent', ObjectAttributes: ['ETag'] })), 'NoSuchKey', 404);
      for (const asked of [undefined, 'ETag,Colour']) {
        const headers: Record<string, string> = asked === undefined ? {} : { 'x-amz-object-attributes': asked };
        const answer = await fetch(`${fixture.open.url}/${bucket}/attrs?attributes`, { headers });
        assert.equal(answer.status, 400);
        assert.match(await answer.text(), /<Code>InvalidArgument<\/Code>/);
      }
    });
  });
}
