/** ListBuckets through the S3 face with the AWS SDK (default settings): pages of max-buckets, continuation tokens, a prefix. On each store. */
import assert from 'node:assert/strict';
import { ListBucketsCommand, paginateListBuckets } from '@aws-sdk/client-s3';
import { describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { KEYED, rejectsWithCode, settingsFixture, uniqueBucket } from './settings-support.js';

for (const under of storesUnderTest()) {
  describe(`ListBuckets pages through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    const prefix = uniqueBucket('pages');
    const mine = ['a', 'b', 'c', 'd', 'e'].map((letter) => `${prefix}-${letter}`);
    const fx = settingsFixture(under, KEYED, [...mine, uniqueBucket('other')]);

    it('pages through the buckets of a prefix in name order, a token between pages and none after the last', async () => {
      const first = await fx.s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: prefix }));
      assert.deepEqual(first.Buckets?.map((b) => b.Name), mine.slice(0, 2));
      assert.equal(first.Prefix, prefix);
      assert.ok(first.ContinuationToken, 'a token: more buckets follow');
      const names: string[] = [];
      for await (const page of paginateListBuckets({ client: fx.s3, pageSize: 2 }, { Prefix: prefix })) {
        assert.ok((page.Buckets ?? []).length <= 2);
        names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
      }
      assert.deepEqual(names, mine);
      const last = await fx.s3.send(new ListBucketsCommand({ MaxBuckets: 5, Prefix: prefix }));
      assert.equal(last.Buckets?.length, 5);
      assert.equal(last.ContinuationToken, undefined);
    });

    it('lists every bucket when no page size is asked, and none under a prefix no bucket has', async () => {
      const all = await fx.s3.send(new ListBucketsCommand({}));
      assert.ok(mine.every((name) => all.Buckets?.some((b) => b.Name === name)));
      assert.equal(all.ContinuationToken, undefined);
      const none = await fx.s3.send(new ListBucketsCommand({ Prefix: `${prefix}-z` }));
      assert.deepEqual(none.Buckets ?? [], []);
    });

    it('refuses a page size outside 1 to 10,000 and a token it did not give', async () => {
      await rejectsWithCode(fx.s3.send(new ListBucketsCommand({ MaxBuckets: 0 })), 'InvalidArgument', 400);
      await rejectsWithCode(fx.s3.send(new ListBucketsCommand({ MaxBuckets: 10001 })), 'InvalidArgument', 400);
      await rejectsWithCode(fx.s3.send(new ListBucketsCommand({ ContinuationToken: 'not a token!' })), 'InvalidArgument', 400);
    });
  });
}
