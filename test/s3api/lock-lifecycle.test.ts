/**
 * Object lock and lifecycle through the S3 face with the AWS SDK (default settings): no bucket has either,
 * and each operation answers as S3 does for such a bucket (or refuses what s3gate does not do). On each store.
 */
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { KEYED, rejectsWithCode, settingsFixture, uniqueBucket } from './settings-support.js';

const LOCK = { ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'GOVERNANCE' as const, Days: 1 } } };

for (const under of storesUnderTest()) {
  describe(`object lock and lifecycle through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    const bucket = uniqueBucket('lock');
    const absent = uniqueBucket('absent');
    const fx = settingsFixture(under, KEYED, [bucket]);

    it('says a bucket has no object lock, and that lock cannot be turned on after creation', async () => {
      await rejectsWithCode(fx.s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })), 'ObjectLockConfigurationNotFoundError', 404);
      await rejectsWithCode(fx.s3.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: LOCK })), 'InvalidBucketState', 409);
      await rejectsWithCode(fx.s3.send(new GetObjectLockConfigurationCommand({ Bucket: absent })), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.s3.send(new PutObjectLockConfigurationCommand({ Bucket: absent, ObjectLockConfiguration: LOCK })), 'NoSuchBucket', 404);
    });

    it('refuses retention and legal holds on objects of a bucket without lock', async () => {
      await fx.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'held', Body: 'abc' }));
      const retention = { Mode: 'GOVERNANCE' as const, RetainUntilDate: new Date('2030-01-01T00:00:00Z') };
      await rejectsWithCode(fx.s3.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: 'held', Retention: retention })), 'InvalidRequest', 400);
      await rejectsWithCode(fx.s3.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'held' })), 'InvalidRequest', 400);
      await rejectsWithCode(fx.s3.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'held', LegalHold: { Status: 'ON' } })), 'InvalidRequest', 400);
      await rejectsWithCode(fx.s3.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'held' })), 'InvalidRequest', 400);
      await rejectsWithCode(fx.s3.send(new GetObjectRetentionCommand({ Bucket: absent, Key: 'held' })), 'NoSuchBucket', 404);
    });

    it('lets only a key that may change the bucket ask to change its lock', async () => {
      await rejectsWithCode(fx.reader.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: LOCK })), 'AccessDenied', 403);
      await rejectsWithCode(fx.reader.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'held', LegalHold: { Status: 'ON' } })), 'AccessDenied', 403);
      await rejectsWithCode(fx.reader.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })), 'ObjectLockConfigurationNotFoundError', 404);
    });

    it('still refuses a bucket created with object lock', async () => {
      await rejectsWithCode(fx.s3.send(new CreateBucketCommand({ Bucket: uniqueBucket('locked'), ObjectLockEnabledForBucket: true })), 'NotImplemented', 501);
    });

    it('says a bucket has no lifecycle rules and deletes none', async () => {
      await rejectsWithCode(fx.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })), 'NoSuchLifecycleConfiguration', 404);
      const deleted = await fx.s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWithCode(fx.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: absent })), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.s3.send(new DeleteBucketLifecycleCommand({ Bucket: absent })), 'NoSuchBucket', 404);
      await rejectsWithCode(fx.reader.send(new DeleteBucketLifecycleCommand({ Bucket: bucket })), 'AccessDenied', 403);
    });

    const putRules = (Rules: LifecycleRule[]) => fx.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } }));
    const rule = (over: Partial<LifecycleRule> = {}): LifecycleRule => ({ ID: 'rule1', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 2 }, ...over });

    it('refuses a valid lifecycle document as not implemented: it would never be applied', async () => {
      await rejectsWithCode(putRules([rule(), rule({ ID: 'rule2', Transitions: [{ Days: 0, StorageClass: 'GLACIER' }] })]), 'NotImplemented', 501);
      await rejectsWithCode(putRules([rule({ Expiration: { Date: new Date('2030-01-01T00:00:00Z') } })]), 'NotImplemented', 501);
      await rejectsWithCode(fx.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })), 'NoSuchLifecycleConfiguration', 404);
    });

    it("answers an invalid lifecycle document with S3's 400", async () => {
      await rejectsWithCode(putRules([rule({ ID: 'a'.repeat(256) })]), 'InvalidArgument', 400);
      await rejectsWithCode(putRules([rule(), rule()]), 'InvalidArgument', 400);
      await rejectsWithCode(putRules([rule({ Status: 'enabled' as 'Enabled' })]), 'MalformedXML', 400);
      await rejectsWithCode(putRules([rule({ Expiration: { Days: 0 } })]), 'InvalidArgument', 400);
      await rejectsWithCode(putRules([rule({ Expiration: { Date: new Date('2030-01-01T12:00:00Z') } })]), 'InvalidArgument', 400);
      await rejectsWithCode(putRules([rule({ Transitions: [{ Date: new Date('2030-01-01T00:00:01Z'), StorageClass: 'GLACIER' }] })]), 'InvalidArgument', 400);
      await rejectsWithCode(putRules([]), 'MalformedXML', 400);
      await rejectsWithCode(fx.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: absent, LifecycleConfiguration: { Rules: [rule()] } })), 'NoSuchBucket', 404);
    });
  });
}
