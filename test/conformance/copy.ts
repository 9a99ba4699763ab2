/** Conformance: copy directives (metadata, tags) and conditions on the source. */
import assert from 'node:assert/strict';
import { it, describe, before } from '../helpers/suites.js';
import { readAll } from '../helpers/streams.js';
import { body, quotedMd5, rejectsWith, type Conformance } from './context.js';

export function copyConformance(c: Conformance): void {
  describe('copy', () => {
    let bucket: string;
    let sourceEtag: string;
    before(async () => {
      bucket = await c.newBucket();
      const meta = await c.store().putObject({
        bucket,
        key: 'source',
        body: body('the source'),
        contentType: 'text/plain',
        cacheControl: 'max-age=5',
        metadata: { origin: 'source' },
        tags: { kept: 'yes' },
      });
      sourceEtag = meta.etag;
    });

    it('keeps the source headers and tags by default (COPY)', async () => {
      const store = c.store();
      const meta = await store.copyObject({ sourceBucket: bucket, sourceKey: 'source', bucket, key: 'copied' });
      assert.equal(meta.etag, quotedMd5(Buffer.from('the source')));
      const head = await store.headObject({ bucket, key: 'copied' });
      assert.equal(head.contentType, 'text/plain');
      assert.equal(head.cacheControl, 'max-age=5');
      assert.deepEqual(head.metadata, { origin: 'source' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'copied' }), { kept: 'yes' });
    });

    it('stores the given headers instead with REPLACE, leaving the source alone', async () => {
      const store = c.store();
      await store.copyObject({
        sourceBucket: bucket,
        sourceKey: 'source',
        bucket,
        key: 'replaced',
        metadataDirective: 'REPLACE',
        headers: { contentType: 'application/x-new', metadata: { origin: 'copy' } },
      });
      const head = await store.headObject({ bucket, key: 'replaced' });
      assert.equal(head.contentType, 'application/x-new');
      assert.equal(head.cacheControl, undefined);
      assert.deepEqual(head.metadata, { origin: 'copy' });
      assert.equal((await readAll((await store.getObject({ bucket, key: 'replaced' })).body)).toString(), 'the source');
      const source = await store.headObject({ bucket, key: 'source' });
      assert.deepEqual(source.metadata, { origin: 'source' });
      assert.equal(source.contentType, 'text/plain');
    });

    it('changes an object in place: a copy onto itself with REPLACE', async () => {
      const store = c.store();
      await store.putObject({ bucket, key: 'self', body: body('same bytes'), metadata: { v: '1' } });
      await store.copyObject({
        sourceBucket: bucket,
        sourceKey: 'self',
        bucket,
        key: 'self',
        metadataDirective: 'REPLACE',
        headers: { metadata: { v: '2' } },
      });
      const head = await store.headObject({ bucket, key: 'self' });
      assert.deepEqual(head.metadata, { v: '2' });
      assert.equal((await readAll((await store.getObject({ bucket, key: 'self' })).body)).toString(), 'same bytes');
    });

    it('stores the given tags instead with the tagging directive REPLACE', async () => {
      const store = c.store();
      const copy = (key: string, tags?: Record<string, string>) =>
        store.copyObject({ sourceBucket: bucket, sourceKey: 'source', bucket, key, taggingDirective: 'REPLACE', tags });
      await copy('retagged', { fresh: 'tag' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'retagged' }), { fresh: 'tag' });
      await copy('untagged');
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'untagged' }), {});
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'source' }), { kept: 'yes' });
    });

    it('checks the conditions on the source, copying nothing when one fails', async () => {
      const store = c.store();
      const copy = (key: string, sourceConditions: Parameters<typeof store.copyObject>[0]['sourceConditions']) =>
        store.copyObject({ sourceBucket: bucket, sourceKey: 'source', bucket, key, sourceConditions });
      await copy('if-match', { ifMatch: sourceEtag });
      await copy('if-none-match', { ifNoneMatch: quotedMd5(Buffer.from('another version')) });
      await copy('if-modified', { ifModifiedSince: new Date(Date.now() - 24 * 3600_000) });
      await rejectsWith(copy('refused', { ifMatch: quotedMd5(Buffer.from('another version')) }), 'PreconditionFailed');
      await rejectsWith(copy('refused', { ifNoneMatch: sourceEtag }), 'PreconditionFailed');
      await rejectsWith(copy('refused', { ifUnmodifiedSince: new Date(Date.now() - 24 * 3600_000) }), 'PreconditionFailed');
      await rejectsWith(store.headObject({ bucket, key: 'refused' }), 'NoSuchKey');
      for (const key of ['if-match', 'if-none-match', 'if-modified']) {
        assert.equal((await store.headObject({ bucket, key })).etag, sourceEtag, key);
      }
    });
  });
}
