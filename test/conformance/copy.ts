/**
 * Conformance: CopyObject's directives and conditions, as S3 documents them: metadata COPY (the default) or
 * REPLACE, the x-amz-copy-source-if-* conditions and how they combine, and conditions on the destination.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from '../helpers/suites.js';
import type { ObjectMeta } from '../../src/storage/types.js';
import { body, getBytes, md5, rejectsWith, type ConformanceContext } from './support.js';

const HOUR = 3_600_000;

export function copySection(ctx: ConformanceContext): void {
  describe('copy', () => {
    let bucket: string;
    let source: ObjectMeta;
    const copy = (key: string, more: Omit<Parameters<typeof ctx.store.copyObject>[0], 'bucket' | 'key' | 'sourceBucket' | 'sourceKey'> = {}) =>
      ctx.store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key, ...more });

    before(async () => {
      bucket = await ctx.newBucket();
      source = await ctx.store.putObject({
        bucket,
        key: 'src',
        body: body('source bytes'),
        contentType: 'text/plain',
        cacheControl: 'no-cache',
        contentDisposition: 'inline',
        contentEncoding: 'identity',
        metadata: { a: '1', b: 'two' },
      });
    });

    it('keeps the source headers and metadata by default (COPY), or stores new ones (REPLACE)', async () => {
      const { store } = ctx;
      const kept = await copy('kept', { metadataDirective: 'COPY', headers: { contentType: 'ignored/type', metadata: { ignored: 'yes' } } });
      assert.equal(kept.etag, source.etag);
      const head = await store.headObject({ bucket, key: 'kept' });
      assert.equal(head.contentType, 'text/plain');
      assert.equal(head.cacheControl, 'no-cache');
      assert.equal(head.contentDisposition, 'inline');
      assert.equal(head.contentEncoding, 'identity');
      assert.deepEqual(head.metadata, { a: '1', b: 'two' });

      await copy('replaced', { metadataDirective: 'REPLACE', headers: { contentType: 'application/json', metadata: { c: '3' } } });
      const replaced = await store.headObject({ bucket, key: 'replaced' });
      assert.equal(replaced.contentType, 'application/json');
      assert.deepEqual(replaced.metadata, { c: '3' });
      assert.equal(replaced.cacheControl, undefined);
      assert.equal(replaced.contentDisposition, undefined);
      assert.equal(replaced.etag, source.etag);
      assert.equal((await getBytes(store, bucket, 'replaced')).toString(), 'source bytes');

      await copy('defaulted', { metadataDirective: 'REPLACE' });
      const defaulted = await store.headObject({ bucket, key: 'defaulted' });
      assert.equal(defaulted.contentType, 'application/octet-stream');
      assert.deepEqual(defaulted.metadata, {});
    });

    it('copies an object onto itself only when it changes something (REPLACE)', async () => {
      const { store } = ctx;
      await rejectsWith(copy('src'), 'InvalidRequest');
      await copy('src', { metadataDirective: 'REPLACE', headers: { contentType: 'text/csv', metadata: { edited: 'yes' } } });
      const head = await store.headObject({ bucket, key: 'src' });
      assert.equal(head.contentType, 'text/csv');
      assert.deepEqual(head.metadata, { edited: 'yes' });
      assert.equal((await getBytes(store, bucket, 'src')).toString(), 'source bytes');
      source = head;
    });

    it('honours each source condition', async () => {
      const other = `"${md5(Buffer.from('other')).toString('hex')}"`;
      const modified = source.lastModified.getTime();
      await copy('c1', { sourceConditions: { ifMatch: source.etag } });
      await rejectsWith(copy('c2', { sourceConditions: { ifMatch: other } }), 'PreconditionFailed');
      await copy('c3', { sourceConditions: { ifNoneMatch: other } });
      await rejectsWith(copy('c4', { sourceConditions: { ifNoneMatch: source.etag } }), 'PreconditionFailed');
      await copy('c5', { sourceConditions: { ifModifiedSince: new Date(modified - HOUR) } });
      await rejectsWith(copy('c6', { sourceConditions: { ifModifiedSince: new Date(modified + HOUR) } }), 'PreconditionFailed');
      await copy('c7', { sourceConditions: { ifUnmodifiedSince: new Date(modified + HOUR) } });
      await rejectsWith(copy('c8', { sourceConditions: { ifUnmodifiedSince: new Date(modified - HOUR) } }), 'PreconditionFailed');
      // dates have whole seconds on the wire: the object's own date is "not modified since" and "unmodified since"
      const second = new Date(Math.floor(modified / 1000) * 1000);
      await copy('c9', { sourceConditions: { ifUnmodifiedSince: second } });
      await rejectsWith(copy('c10', { sourceConditions: { ifModifiedSince: second } }), 'PreconditionFailed');
      for (const refused of ['c2', 'c4', 'c6', 'c8', 'c10']) await rejectsWith(ctx.store.headObject({ bucket, key: refused }), 'NoSuchKey');
    });

    it('combines source conditions as S3 does', async () => {
      const other = `"${md5(Buffer.from('other')).toString('hex')}"`;
      const modified = source.lastModified.getTime();
      // If-Match true and If-Unmodified-Since false: copied
      await copy('m1', { sourceConditions: { ifMatch: source.etag, ifUnmodifiedSince: new Date(modified - HOUR) } });
      assert.equal((await getBytes(ctx.store, bucket, 'm1')).toString(), 'source bytes');
      // If-None-Match false and If-Modified-Since true: refused
      await rejectsWith(
        copy('m2', { sourceConditions: { ifNoneMatch: source.etag, ifModifiedSince: new Date(modified - HOUR) } }),
        'PreconditionFailed',
      );
      // If-Match false: refused whatever the dates say
      await rejectsWith(copy('m3', { sourceConditions: { ifMatch: other, ifUnmodifiedSince: new Date(modified + HOUR) } }), 'PreconditionFailed');
    });

    it('honours If-None-Match: * and If-Match on the destination', async () => {
      const { store } = ctx;
      const existing = await store.putObject({ bucket, key: 'dest', body: body('old destination') });
      await rejectsWith(copy('dest', { ifNoneMatch: '*' }), 'PreconditionFailed');
      await rejectsWith(copy('dest', { ifMatch: source.etag }), 'PreconditionFailed');
      assert.equal((await getBytes(store, bucket, 'dest')).toString(), 'old destination');
      await copy('dest', { ifMatch: existing.etag });
      assert.equal((await getBytes(store, bucket, 'dest')).toString(), 'source bytes');
      await copy('new-dest', { ifNoneMatch: '*' });
      assert.equal((await getBytes(store, bucket, 'new-dest')).toString(), 'source bytes');
    });

    it('replaces the destination whole, headers included', async () => {
      const { store } = ctx;
      await store.putObject({ bucket, key: 'overwritten', body: body('longer old destination bytes'), contentType: 'image/png', metadata: { old: 'x' } });
      await copy('overwritten');
      const head = await store.headObject({ bucket, key: 'overwritten' });
      assert.equal(head.size, 'source bytes'.length);
      assert.equal(head.contentType, source.contentType);
      assert.deepEqual(head.metadata, source.metadata);
    });
  });
}
