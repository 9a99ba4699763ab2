/** Conformance: object tags (PutObjectTagging, GetObjectTagging, DeleteObjectTagging, tags given with a write). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/suites.js';
import { body, rejectsWith, type ConformanceContext } from './support.js';

export function taggingSection(ctx: ConformanceContext): void {
  describe('tagging', () => {
    it('keeps the tags given with a put, replaces them all, and deletes them', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await store.putObject({ bucket, key: 'tagged', body: body('x'), tags: { project: 'gate', 'empty-value': '', 'ünï cödé': 'välue / + = . _ : @' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), {
        project: 'gate',
        'empty-value': '',
        'ünï cödé': 'välue / + = . _ : @',
      });
      await store.putObjectTagging({ bucket, key: 'tagged', tags: { only: 'this' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), { only: 'this' });
      const tenTags = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(256)]));
      await store.putObjectTagging({ bucket, key: 'tagged', tags: tenTags });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), tenTags);
      await store.deleteObjectTagging({ bucket, key: 'tagged' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), {});
      await store.putObject({ bucket, key: 'untagged', body: body('y') });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'untagged' }), {});
    });

    it('tagging leaves the object, its ETag and its date alone', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const put = await store.putObject({ bucket, key: 'k', body: body('content'), metadata: { m: '1' } });
      await store.putObjectTagging({ bucket, key: 'k', tags: { a: 'b' } });
      const head = await store.headObject({ bucket, key: 'k' });
      assert.equal(head.etag, put.etag);
      assert.deepEqual(head.metadata, { m: '1' });
      assert.equal(head.size, 7);
    });

    it("replacing an object replaces its tags", async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await store.putObject({ bucket, key: 'k', body: body('one'), tags: { version: '1' } });
      await store.putObject({ bucket, key: 'k', body: body('two') });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'k' }), {});
      await store.putObject({ bucket, key: 'k', body: body('three'), tags: { version: '3' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'k' }), { version: '3' });
    });

    it('reports a missing object as NoSuchKey and a missing bucket as NoSuchBucket', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await rejectsWith(store.getObjectTagging({ bucket, key: 'nope' }), 'NoSuchKey');
      await rejectsWith(store.putObjectTagging({ bucket, key: 'nope', tags: { a: 'b' } }), 'NoSuchKey');
      await rejectsWith(store.deleteObjectTagging({ bucket, key: 'nope' }), 'NoSuchKey');
      await rejectsWith(store.headObject({ bucket, key: 'nope' }), 'NoSuchKey');
      const missing = `${ctx.run}-nobucket`;
      await rejectsWith(store.getObjectTagging({ bucket: missing, key: 'k' }), 'NoSuchBucket');
      await rejectsWith(store.putObjectTagging({ bucket: missing, key: 'k', tags: {} }), 'NoSuchBucket');
    });

    it('copies tags with an object by default, or replaces them', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      await store.putObject({ bucket, key: 'src', body: body('tagged source'), tags: { from: 'source' } });
      await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'copy' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'copy' }), { from: 'source' });
      await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'copy', taggingDirective: 'COPY' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'copy' }), { from: 'source' });
      await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'replaced', taggingDirective: 'REPLACE', tags: { new: 'tags' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'replaced' }), { new: 'tags' });
      await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'bare', taggingDirective: 'REPLACE' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'bare' }), {});
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'src' }), { from: 'source' }, 'the source keeps its own');
    });
  });
}
