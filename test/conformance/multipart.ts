/**
 * Conformance: multipart uploads, as S3 documents them (CreateMultipartUpload, UploadPart, UploadPartCopy,
 * ListParts, ListMultipartUploads, CompleteMultipartUpload, AbortMultipartUpload, GetObject with partNumber).
 * Parts before the last must be at least 5 MiB: the tests use few of them, just over that size.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from '../helpers/suites.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import { MIN_PART_SIZE, type CompletedPart, type UploadSummary } from '../../src/storage/types.js';
import { readAll } from '../helpers/streams.js';
import { body, getBytes, md5, minPart, multipartEtag, rejectsWith, unquoted, type ConformanceContext } from './support.js';

export function multipartSection(ctx: ConformanceContext): void {
  describe('multipart uploads', () => {
    /** Uploads `parts` (numbered from 1) to a new upload of `key` and completes it. */
    async function uploadWhole(bucket: string, key: string, parts: Buffer[]) {
      const { store } = ctx;
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      const done: CompletedPart[] = [];
      for (const [i, data] of parts.entries()) {
        const part = await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(data), contentLength: data.length });
        done.push({ partNumber: i + 1, etag: part.etag });
      }
      return store.completeMultipartUpload({ bucket, key, uploadId, parts: done });
    }

    it('assembles the parts into one object with the headers, metadata and tags given at creation', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const first = minPart(3);
      const second = Buffer.from('the short last part');
      const { uploadId } = await store.createMultipartUpload({
        bucket,
        key: 'assembled.bin',
        contentType: 'application/x-test',
        cacheControl: 'max-age=5',
        contentDisposition: 'attachment',
        metadata: { origin: 'multipart' },
        tags: { kind: 'mp' },
      });
      assert.equal(typeof uploadId, 'string');
      assert.ok(uploadId.length > 0);
      const p1 = await store.uploadPart({ bucket, key: 'assembled.bin', uploadId, partNumber: 1, body: body(first), contentLength: first.length });
      assert.equal(p1.etag, `"${md5(first).toString('hex')}"`);
      assert.equal(p1.partNumber, 1);
      assert.equal(p1.size, first.length);
      // parts may arrive unquoted in the completion list, as some clients send them
      const p2 = await store.uploadPart({ bucket, key: 'assembled.bin', uploadId, partNumber: 2, body: body(second) });
      await rejectsWith(store.headObject({ bucket, key: 'assembled.bin' }), 'NoSuchKey');
      const meta = await store.completeMultipartUpload({
        bucket,
        key: 'assembled.bin',
        uploadId,
        parts: [
          { partNumber: 1, etag: p1.etag },
          { partNumber: 2, etag: unquoted(p2.etag) },
        ],
      });
      const expectedEtag = multipartEtag([first, second]);
      assert.equal(meta.etag, expectedEtag);
      const head = await store.headObject({ bucket, key: 'assembled.bin' });
      assert.equal(head.size, first.length + second.length);
      assert.equal(head.etag, expectedEtag);
      assert.equal(head.contentType, 'application/x-test');
      assert.equal(head.cacheControl, 'max-age=5');
      assert.equal(head.contentDisposition, 'attachment');
      assert.deepEqual(head.metadata, { origin: 'multipart' });
      assert.deepEqual(await store.getObjectTagging({ bucket, key: 'assembled.bin' }), { kind: 'mp' });
      assert.deepEqual(await getBytes(store, bucket, 'assembled.bin'), Buffer.concat([first, second]));
      const listed = await store.listObjects({ bucket });
      assert.deepEqual(
        listed.objects.map((o) => [o.key, o.size, o.etag]),
        [['assembled.bin', head.size, expectedEtag]],
      );
      // the upload is over
      await rejectsWith(store.listParts({ bucket, key: 'assembled.bin', uploadId }), 'NoSuchUpload');
      await rejectsWith(
        store.uploadPart({ bucket, key: 'assembled.bin', uploadId, partNumber: 3, body: body('late') }),
        'NoSuchUpload',
      );
      assert.deepEqual((await store.listMultipartUploads({ bucket })).uploads, []);
    });

    it('serves ranges across part boundaries, and single parts by number', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const first = minPart(11);
      const second = randomBytes(1000);
      await uploadWhole(bucket, 'ranged', [first, second]);
      const whole = Buffer.concat([first, second]);
      const across = { start: first.length - 10, end: first.length + 9 };
      const got = await store.getObject({ bucket, key: 'ranged', range: across });
      assert.deepEqual(await readAll(got.body), whole.subarray(across.start, across.end + 1));
      assert.deepEqual(got.range, across);
      const tail = await store.getObject({ bucket, key: 'ranged', range: { suffix: 1500 } });
      assert.deepEqual(await readAll(tail.body), whole.subarray(whole.length - 1500));

      if (ctx.limits.partReadsOfMultipartObjects) {
        // the backend would send the whole object: a clear refusal instead of the wrong bytes
        await rejectsWith(store.getObject({ bucket, key: 'ranged', partNumber: 1 }), 'NotImplemented');
        await rejectsWith(store.headObject({ bucket, key: 'ranged', partNumber: 2 }), 'NotImplemented');
      } else {
        const one = await store.getObject({ bucket, key: 'ranged', partNumber: 1 });
        assert.deepEqual(await readAll(one.body), first);
        assert.deepEqual(one.range, { start: 0, end: first.length - 1 });
        assert.equal(one.meta.partsCount, 2);
        const two = await store.getObject({ bucket, key: 'ranged', partNumber: 2 });
        assert.deepEqual(await readAll(two.body), second);
        assert.deepEqual(two.range, { start: first.length, end: whole.length - 1 });
        assert.equal(two.meta.partsCount, 2);
        const headTwo = await store.headObject({ bucket, key: 'ranged', partNumber: 2 });
        assert.equal(headTwo.size, second.length);
        assert.equal(headTwo.partsCount, 2);
        // S3 answers 416 InvalidPartNumber for a part the object does not have
        await rejectsWith(store.getObject({ bucket, key: 'ranged', partNumber: 3 }), ['InvalidPartNumber', 'InvalidRange']);
        await rejectsWith(store.headObject({ bucket, key: 'ranged', partNumber: 3 }), ['InvalidPartNumber', 'InvalidRange']);
      }

      // an object uploaded whole has just part 1: all of it
      await store.putObject({ bucket, key: 'single', body: body('one piece') });
      const only = await store.getObject({ bucket, key: 'single', partNumber: 1 });
      assert.equal((await readAll(only.body)).toString(), 'one piece');
      assert.equal((await store.headObject({ bucket, key: 'single', partNumber: 1 })).size, 9);
      await rejectsWith(store.getObject({ bucket, key: 'single', partNumber: 2 }), ['InvalidPartNumber', 'InvalidRange']);
    });

    it('replaces a part uploaded again under the same number', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'again' });
      const old = await store.uploadPart({ bucket, key: 'again', uploadId, partNumber: 1, body: body('first try') });
      const now = await store.uploadPart({ bucket, key: 'again', uploadId, partNumber: 1, body: body('second try!') });
      const { parts } = await store.listParts({ bucket, key: 'again', uploadId });
      assert.deepEqual(
        parts.map((p) => [p.partNumber, p.etag, p.size]),
        [[1, now.etag, 11]],
      );
      await rejectsWith(
        store.completeMultipartUpload({ bucket, key: 'again', uploadId, parts: [{ partNumber: 1, etag: old.etag }] }),
        'InvalidPart',
      );
      await store.completeMultipartUpload({ bucket, key: 'again', uploadId, parts: [{ partNumber: 1, etag: now.etag }] });
      assert.equal((await getBytes(store, bucket, 'again')).toString(), 'second try!');
    });

    it('lists parts in pages by part number', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'paged' });
      const sizes = new Map([
        [3, 30],
        [1, 10],
        [7, 70],
      ]);
      for (const [partNumber, size] of sizes) {
        await store.uploadPart({ bucket, key: 'paged', uploadId, partNumber, body: body(Buffer.alloc(size, partNumber)) });
      }
      const all = await store.listParts({ bucket, key: 'paged', uploadId });
      assert.deepEqual(
        all.parts.map((p) => [p.partNumber, p.size, p.etag]),
        [1, 3, 7].map((n) => [n, sizes.get(n), `"${md5(Buffer.alloc(sizes.get(n) as number, n)).toString('hex')}"`]),
      );
      assert.equal(all.isTruncated, false);
      assert.ok(Math.abs(all.initiated.getTime() - Date.now()) < 10 * 60_000);
      for (const part of all.parts) assert.ok(Math.abs(part.lastModified.getTime() - Date.now()) < 10 * 60_000);
      const page1 = await store.listParts({ bucket, key: 'paged', uploadId, maxParts: 2 });
      assert.deepEqual(
        page1.parts.map((p) => p.partNumber),
        [1, 3],
      );
      assert.equal(page1.isTruncated, true);
      assert.equal(page1.nextPartNumberMarker, 3);
      const page2 = await store.listParts({ bucket, key: 'paged', uploadId, maxParts: 2, partNumberMarker: 3 });
      assert.deepEqual(
        page2.parts.map((p) => p.partNumber),
        [7],
      );
      assert.equal(page2.isTruncated, false);
      await store.abortMultipartUpload({ bucket, key: 'paged', uploadId });
    });

    it('lists open uploads by key, with prefix, delimiter and paging', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const keys = ['b', 'a/2', 'c', 'a/1', 'b'];
      const made: UploadSummary[] = [];
      for (const key of keys) made.push({ key, ...(await store.createMultipartUpload({ bucket, key })), initiated: new Date() });
      const all = await store.listMultipartUploads({ bucket });
      assert.equal(all.isTruncated, false);
      assert.deepEqual(
        all.uploads.map((u) => u.key),
        ['a/1', 'a/2', 'b', 'b', 'c'],
      );
      assert.deepEqual(
        new Set(all.uploads.map((u) => u.uploadId)),
        new Set(made.map((u) => u.uploadId)),
      );
      for (const upload of all.uploads) assert.ok(Math.abs(upload.initiated.getTime() - Date.now()) < 10 * 60_000);

      const inA = await store.listMultipartUploads({ bucket, prefix: 'a/' });
      assert.deepEqual(
        inA.uploads.map((u) => u.key),
        ['a/1', 'a/2'],
      );
      const grouped = await store.listMultipartUploads({ bucket, delimiter: '/' });
      assert.deepEqual(grouped.commonPrefixes, ['a/']);
      assert.deepEqual(
        grouped.uploads.map((u) => u.key),
        ['b', 'b', 'c'],
      );
      const afterB = await store.listMultipartUploads({ bucket, keyMarker: 'b' });
      assert.deepEqual(
        afterB.uploads.map((u) => u.key),
        ['c'],
      );

      // one upload per page, each page starting after the markers of the one before: the same list
      const paged: UploadSummary[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 10, 'paging ends');
        const page = await store.listMultipartUploads({ bucket, maxUploads: 1, keyMarker, uploadIdMarker });
        paged.push(...page.uploads);
        if (!page.isTruncated) break;
        assert.equal(page.uploads.length, 1);
        keyMarker = page.nextKeyMarker;
        uploadIdMarker = page.nextUploadIdMarker;
        assert.ok(keyMarker !== undefined && uploadIdMarker !== undefined, 'a truncated page says where to go on');
      }
      assert.deepEqual(
        paged.map((u) => [u.key, u.uploadId]),
        all.uploads.map((u) => [u.key, u.uploadId]),
      );
      for (const upload of made) await store.abortMultipartUpload({ bucket, key: upload.key, uploadId: upload.uploadId });
      assert.deepEqual((await store.listMultipartUploads({ bucket })).uploads, []);
    });

    it("refuses completions that break S3's rules, and keeps the upload open", async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const key = 'rules';
      const big = minPart(1);
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      const small1 = await store.uploadPart({ bucket, key, uploadId, partNumber: 1, body: body('too small to come first') });
      const p2 = await store.uploadPart({ bucket, key, uploadId, partNumber: 2, body: body(big) });
      const p3 = await store.uploadPart({ bucket, key, uploadId, partNumber: 3, body: body('last') });
      const complete = (parts: CompletedPart[]) => store.completeMultipartUpload({ bucket, key, uploadId, parts });
      const refused: [CompletedPart[], ErrorCode][] = [
        [[{ partNumber: 3, etag: p3.etag }, { partNumber: 2, etag: p2.etag }], 'InvalidPartOrder'],
        [[{ partNumber: 2, etag: p2.etag }, { partNumber: 2, etag: p2.etag }], 'InvalidPartOrder'],
        [[{ partNumber: 2, etag: p2.etag }, { partNumber: 3, etag: p2.etag }], 'InvalidPart'], // not that part's ETag
        [[{ partNumber: 2, etag: p2.etag }, { partNumber: 4, etag: p3.etag }], 'InvalidPart'], // never uploaded
        [[{ partNumber: 1, etag: small1.etag }, { partNumber: 2, etag: p2.etag }], 'EntityTooSmall'],
      ];
      for (const [parts, code] of refused) await rejectsWith(complete(parts), code);
      await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
      assert.equal((await store.listParts({ bucket, key, uploadId })).parts.length, 3, 'the upload is still open');

      const some = [
        { partNumber: 2, etag: p2.etag },
        { partNumber: 3, etag: p3.etag },
      ];
      if (ctx.limits.completionFromSomeParts) {
        await rejectsWith(complete(some), 'NotImplemented');
        await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
        assert.equal((await store.listParts({ bucket, key, uploadId })).parts.length, 3, 'the upload is still open');
        return;
      }
      // parts left out of the list are not in the object
      const meta = await complete(some);
      assert.equal(meta.etag, multipartEtag([big, Buffer.from('last')]));
      assert.deepEqual(await getBytes(store, bucket, key), Buffer.concat([big, Buffer.from('last')]));
      assert.equal((await store.headObject({ bucket, key })).size, MIN_PART_SIZE + 1 + 4);
    });

    it('honours If-None-Match: * and If-Match on completion', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const existing = await store.putObject({ bucket, key: 'taken', body: body('already here') });
      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'taken' });
      const part = await store.uploadPart({ bucket, key: 'taken', uploadId, partNumber: 1, body: body('new') });
      const parts = [{ partNumber: 1, etag: part.etag }];
      await rejectsWith(store.completeMultipartUpload({ bucket, key: 'taken', uploadId, parts, ifNoneMatch: '*' }), 'PreconditionFailed');
      await rejectsWith(
        store.completeMultipartUpload({ bucket, key: 'taken', uploadId, parts, ifMatch: `"${md5(Buffer.from('other')).toString('hex')}"` }),
        'PreconditionFailed',
      );
      assert.equal((await getBytes(store, bucket, 'taken')).toString(), 'already here');
      await store.completeMultipartUpload({ bucket, key: 'taken', uploadId, parts, ifMatch: existing.etag });
      assert.equal((await getBytes(store, bucket, 'taken')).toString(), 'new');

      const fresh = await store.createMultipartUpload({ bucket, key: 'fresh' });
      const freshPart = await store.uploadPart({ bucket, key: 'fresh', uploadId: fresh.uploadId, partNumber: 1, body: body('x') });
      await store.completeMultipartUpload({
        bucket,
        key: 'fresh',
        uploadId: fresh.uploadId,
        parts: [{ partNumber: 1, etag: freshPart.etag }],
        ifNoneMatch: '*',
      });
      assert.equal((await getBytes(store, bucket, 'fresh')).toString(), 'x');
    });

    it('aborts an upload: its parts are gone and no object is made', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'dropped' });
      await store.uploadPart({ bucket, key: 'dropped', uploadId, partNumber: 1, body: body('part') });
      await store.abortMultipartUpload({ bucket, key: 'dropped', uploadId });
      await rejectsWith(store.listParts({ bucket, key: 'dropped', uploadId }), 'NoSuchUpload');
      await rejectsWith(store.uploadPart({ bucket, key: 'dropped', uploadId, partNumber: 2, body: body('x') }), 'NoSuchUpload');
      await rejectsWith(
        store.completeMultipartUpload({ bucket, key: 'dropped', uploadId, parts: [{ partNumber: 1, etag: `"${md5(Buffer.from('part')).toString('hex')}"` }] }),
        'NoSuchUpload',
      );
      await rejectsWith(store.headObject({ bucket, key: 'dropped' }), 'NoSuchKey');
      assert.deepEqual((await store.listMultipartUploads({ bucket })).uploads, []);
    });

    it('reports unknown uploads and missing buckets', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const missing = `${ctx.run}-nobucket`;
      await rejectsWith(store.createMultipartUpload({ bucket: missing, key: 'k' }), 'NoSuchBucket');
      await rejectsWith(store.listMultipartUploads({ bucket: missing }), 'NoSuchBucket');
      const uploadId = 'no-such-upload-id';
      await rejectsWith(store.uploadPart({ bucket, key: 'k', uploadId, partNumber: 1, body: body('x') }), 'NoSuchUpload');
      await rejectsWith(store.listParts({ bucket, key: 'k', uploadId }), 'NoSuchUpload');
      await rejectsWith(store.abortMultipartUpload({ bucket, key: 'k', uploadId }), 'NoSuchUpload');
      await rejectsWith(
        store.completeMultipartUpload({ bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag: '"00"' }] }),
        'NoSuchUpload',
      );
      // an upload belongs to its key
      const real = await store.createMultipartUpload({ bucket, key: 'mine' });
      await rejectsWith(store.listParts({ bucket, key: 'other', uploadId: real.uploadId }), 'NoSuchUpload');
      await store.abortMultipartUpload({ bucket, key: 'mine', uploadId: real.uploadId });
    });

    it('checks a part against its Content-MD5, keeping nothing of it on a mismatch', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'digest' });
      const wrong = md5(Buffer.from('other bytes')).toString('base64');
      await rejectsWith(
        store.uploadPart({ bucket, key: 'digest', uploadId, partNumber: 1, body: body('part bytes'), contentMd5: wrong }),
        'BadDigest',
      );
      assert.deepEqual((await store.listParts({ bucket, key: 'digest', uploadId })).parts, []);
      const right = md5(Buffer.from('part bytes')).toString('base64');
      await store.uploadPart({ bucket, key: 'digest', uploadId, partNumber: 1, body: body('part bytes'), contentMd5: right });
      assert.equal((await store.listParts({ bucket, key: 'digest', uploadId })).parts.length, 1);
      await store.abortMultipartUpload({ bucket, key: 'digest', uploadId });
    });

    it('copies byte ranges of objects into parts, also across the parts of a multipart source', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const a = minPart(5);
      const b = randomBytes(2000);
      await uploadWhole(bucket, 'mp-source', [a, b]);
      const whole = Buffer.concat([a, b]);
      const plain = await store.putObject({ bucket, key: 'plain-source', body: body('0123456789') });

      const { uploadId } = await store.createMultipartUpload({ bucket, key: 'copied' });
      // part 1: 5 MiB + 100 bytes that straddle the source's part boundary
      const span = { start: 100, end: a.length + 99 };
      const c1 = await store.uploadPartCopy({ bucket, key: 'copied', uploadId, partNumber: 1, sourceBucket: bucket, sourceKey: 'mp-source', sourceRange: span });
      const expected1 = whole.subarray(span.start, span.end + 1);
      assert.equal(c1.etag, `"${md5(expected1).toString('hex')}"`);
      assert.equal(c1.partNumber, 1);
      // part 2: a whole single-part object
      const c2 = await store.uploadPartCopy({
        bucket,
        key: 'copied',
        uploadId,
        partNumber: 2,
        sourceBucket: bucket,
        sourceKey: 'plain-source',
        sourceConditions: { ifMatch: plain.etag },
      });
      assert.equal(c2.etag, plain.etag);
      await rejectsWith(
        store.uploadPartCopy({ bucket, key: 'copied', uploadId, partNumber: 3, sourceBucket: bucket, sourceKey: 'plain-source', sourceRange: { start: 5, end: 10 } }),
        'InvalidRange',
      );
      await rejectsWith(
        store.uploadPartCopy({
          bucket,
          key: 'copied',
          uploadId,
          partNumber: 3,
          sourceBucket: bucket,
          sourceKey: 'plain-source',
          sourceConditions: { ifMatch: `"${md5(Buffer.from('not it')).toString('hex')}"` },
        }),
        'PreconditionFailed',
      );
      await rejectsWith(
        store.uploadPartCopy({ bucket, key: 'copied', uploadId, partNumber: 3, sourceBucket: bucket, sourceKey: 'no-such-source' }),
        'NoSuchKey',
      );
      const { parts } = await store.listParts({ bucket, key: 'copied', uploadId });
      assert.deepEqual(
        parts.map((p) => [p.partNumber, p.size]),
        [
          [1, expected1.length],
          [2, 10],
        ],
      );
      await store.completeMultipartUpload({
        bucket,
        key: 'copied',
        uploadId,
        parts: [
          { partNumber: 1, etag: c1.etag },
          { partNumber: 2, etag: c2.etag },
        ],
      });
      assert.deepEqual(await getBytes(store, bucket, 'copied'), Buffer.concat([expected1, Buffer.from('0123456789')]));
    });

    it('copies, replaces and deletes a multipart object', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      const a = minPart(2);
      const b = Buffer.from('tail');
      await uploadWhole(bucket, 'mp', [a, b]);
      const whole = Buffer.concat([a, b]);
      await store.copyObject({ sourceBucket: bucket, sourceKey: 'mp', bucket, key: 'mp-copy' });
      assert.deepEqual(await getBytes(store, bucket, 'mp-copy'), whole);
      assert.equal((await store.headObject({ bucket, key: 'mp-copy' })).size, whole.length);

      await store.putObject({ bucket, key: 'mp', body: body('now small') });
      assert.equal((await getBytes(store, bucket, 'mp')).toString(), 'now small');
      assert.equal((await store.headObject({ bucket, key: 'mp' })).etag, `"${md5(Buffer.from('now small')).toString('hex')}"`);
      assert.deepEqual(await getBytes(store, bucket, 'mp-copy'), whole, 'the copy stays whole');

      assert.equal(await store.deleteObject({ bucket, key: 'mp-copy' }), true);
      await rejectsWith(store.headObject({ bucket, key: 'mp-copy' }), 'NoSuchKey');
    });
  });
}
