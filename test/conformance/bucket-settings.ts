/** Conformance: a bucket's settings, its CORS rules (Get/Put/DeleteBucketCors) and its tags (Get/Put/DeleteBucketTagging). */
import assert from 'node:assert/strict';
import type { CorsRule } from '../../src/storage/types.js';
import { describe, it } from '../helpers/suites.js';
import { rejectsWith, type ConformanceContext } from './support.js';

const RULES: CorsRule[] = [
  {
    id: 'browser uploads',
    allowedOrigins: ['https://*.example.com', 'http://localhost:5173'],
    allowedMethods: ['PUT', 'POST', 'GET'],
    allowedHeaders: ['x-amz-*', 'content-type'],
    exposeHeaders: ['ETag', 'x-amz-meta-owner'],
    maxAgeSeconds: 600,
  },
  { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
];

/** A rule with its lists sorted and absent fields dropped: the lists are sets, a store may reorder them. */
function comparable(rule: CorsRule): Record<string, unknown> {
  const sorted = (list: readonly string[]) => [...list].sort();
  return {
    ...(rule.id !== undefined ? { id: rule.id } : {}),
    allowedOrigins: sorted(rule.allowedOrigins),
    allowedMethods: sorted(rule.allowedMethods),
    allowedHeaders: sorted(rule.allowedHeaders),
    exposeHeaders: sorted(rule.exposeHeaders),
    ...(rule.maxAgeSeconds !== undefined ? { maxAgeSeconds: rule.maxAgeSeconds } : {}),
  };
}

export function bucketSettingsSection(ctx: ConformanceContext): void {
  describe('bucket settings', () => {
    it('keeps CORS rules in order, replaces them whole, and deletes them', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await rejectsWith(store.getBucketCors({ bucket }), 'NoSuchCORSConfiguration');
      await store.putBucketCors({ bucket, rules: RULES });
      assert.deepEqual((await store.getBucketCors({ bucket })).map(comparable), RULES.map(comparable));
      const one: CorsRule = { allowedOrigins: ['https://app.example.org'], allowedMethods: ['DELETE'], allowedHeaders: ['*'], exposeHeaders: [], maxAgeSeconds: 0 };
      await store.putBucketCors({ bucket, rules: [one] });
      assert.deepEqual((await store.getBucketCors({ bucket })).map(comparable), [comparable(one)]);
      await store.deleteBucketCors({ bucket });
      await rejectsWith(store.getBucketCors({ bucket }), 'NoSuchCORSConfiguration');
      await store.deleteBucketCors({ bucket }); // nothing left to delete: no error
    });

    it('keeps a hundred rules', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const rules: CorsRule[] = Array.from({ length: 100 }, (_, i) => ({
        id: `rule-${i}`,
        allowedOrigins: [`https://site${i}.example.com`],
        allowedMethods: ['GET'],
        allowedHeaders: [],
        exposeHeaders: [],
      }));
      await store.putBucketCors({ bucket, rules });
      assert.deepEqual((await store.getBucketCors({ bucket })).map((r) => r.id), rules.map((r) => r.id));
    });

    it('keeps bucket tags, replaces them whole, and deletes them', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await rejectsWith(store.getBucketTagging({ bucket }), 'NoSuchTagSet');
      await store.putBucketTagging({ bucket, tags: { project: 'gate', 'ünï cödé': 'välue / + = . _ : @', empty: '' } });
      assert.deepEqual(await store.getBucketTagging({ bucket }), { project: 'gate', 'ünï cödé': 'välue / + = . _ : @', empty: '' });
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(256)]));
      await store.putBucketTagging({ bucket, tags: fifty });
      assert.deepEqual(await store.getBucketTagging({ bucket }), fifty);
      await store.deleteBucketTagging({ bucket });
      await rejectsWith(store.getBucketTagging({ bucket }), 'NoSuchTagSet');
      await store.deleteBucketTagging({ bucket }); // nothing left to delete: no error
      await store.putBucketTagging({ bucket, tags: { a: 'b' } });
      await store.putBucketTagging({ bucket, tags: {} });
      await rejectsWith(store.getBucketTagging({ bucket }), 'NoSuchTagSet');
    });

    it("keeps each bucket's settings apart from the other buckets' and from its objects' tags", async () => {
      const { store } = ctx;
      const [one, two] = [await ctx.newBucket(), await ctx.newBucket()];
      await store.putBucketCors({ bucket: one, rules: RULES });
      await store.putBucketTagging({ bucket: one, tags: { owner: 'one' } });
      await rejectsWith(store.getBucketCors({ bucket: two }), 'NoSuchCORSConfiguration');
      await rejectsWith(store.getBucketTagging({ bucket: two }), 'NoSuchTagSet');
      await store.putBucketTagging({ bucket: two, tags: { owner: 'two' } });
      await store.deleteBucketCors({ bucket: two });
      assert.deepEqual(await store.getBucketTagging({ bucket: one }), { owner: 'one' });
      assert.equal((await store.getBucketCors({ bucket: one })).length, RULES.length);
      await store.deleteBucketTagging({ bucket: one });
      assert.equal((await store.getBucketCors({ bucket: one })).length, RULES.length, 'deleting the tags leaves the rules');
    });

    it('forgets the settings of a deleted bucket', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await store.putBucketCors({ bucket, rules: RULES });
      await store.putBucketTagging({ bucket, tags: { gone: 'soon' } });
      await store.deleteBucket({ bucket });
      await store.createBucket({ bucket });
      await rejectsWith(store.getBucketCors({ bucket }), 'NoSuchCORSConfiguration');
      await rejectsWith(store.getBucketTagging({ bucket }), 'NoSuchTagSet');
    });

    it('reports a missing bucket as NoSuchBucket', async () => {
      const { store } = ctx;
      const bucket = `${ctx.run}-nosettings`;
      await rejectsWith(store.getBucketCors({ bucket }), 'NoSuchBucket');
      await rejectsWith(store.putBucketCors({ bucket, rules: RULES }), 'NoSuchBucket');
      await rejectsWith(store.deleteBucketCors({ bucket }), 'NoSuchBucket');
      await rejectsWith(store.getBucketTagging({ bucket }), 'NoSuchBucket');
      await rejectsWith(store.putBucketTagging({ bucket, tags: { a: 'b' } }), 'NoSuchBucket');
      await rejectsWith(store.deleteBucketTagging({ bucket }), 'NoSuchBucket');
    });
  });
}
