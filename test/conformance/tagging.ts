/** Conformance: object tags. */
import assert from 'node:assert/strict';
import { it, describe, before } from '../helpers/suites.js';
import { body, rejectsWith, type Conformance } from './context.js';

export function taggingConformance(c: Conformance): void {
  describe('tagging', () => {
    let bucket: string;
    before(async () => {
      bucket = await c.newBucket();
    });

    it('puts, gets and deletes the tags of an object', async () => {
      const store = c.store();
      await store.putObject({ bucket, key: 'tagged', body: body('x') });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), {});
      const tags = { project: 'alpha', 'with space': 'a value', empty: '' };
      await store.putObjectTagging({ bucket, key: 'tagged', tags });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), tags);
      await store.putObjectTagging({ bucket, key: 'tagged', tags: { only: 'one' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), { only: 'one' }, 'a put replaces all tags');
      await store.deleteObjectTagging({ bucket, key: 'tagged' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'tagged' }), {});
      assert.equal((await store.headObject({ bucket, key: 'tagged' })).size, 1, 'the object stays');
    });

    it('stores the tags given with a PUT, and a new version replaces them', async () => {
      const store = c.store();
      await store.putObject({ bucket, key: 'versioned', body: body('one'), tags: { v: '1' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'versioned' }), { v: '1' });
      await store.putObject({ bucket, key: 'versioned', body: body('two') });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'versioned' }), {});
      await store.putObject({ bucket, key: 'versioned', body: body('three'), tags: { v: '3' } });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'versioned' }), { v: '3' });
    });

    it('keeps the tags given when a multipart upload began', async () => {
      const store = c.store();
      const key = 'multipart-tagged';
      const { uploadId } = await store.createMultipartUpload({ bucket, key, tags: { from: 'create' } });
      const part = await store.uploadPart({ bucket, key, uploadId, partNumber: 1, body: body('parts') });
      await store.completeMultipartUpload({ bucket, key, uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
      assert.deepEqual(await store.getObjectTagging({ bucket, key }), { from: 'create' });
    });

    it('answers NoSuchKey for the tags of a missing object', async () => {
      const store = c.store();
      await rejectsWith(store.getObjectTagging({ bucket, key: 'missing' }), 'NoSuchKey');
      await rejectsWith(store.putObjectTagging({ bucket, key: 'missing', tags: { a: 'b' } }), 'NoSuchKey');
      await rejectsWith(store.deleteObjectTagging({ bucket, key: 'missing' }), 'NoSuchKey');
      await rejectsWith(store.headObject({ bucket, key: 'missing' }), 'NoSuchKey');
    });
  });
}
