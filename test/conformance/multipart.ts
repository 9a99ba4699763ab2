/** Conformance: multipart uploads, to S3's rules. */
import assert from 'node:assert/strict';
import { it, describe, before } from '../helpers/suites.js';
import { MIN_PART_SIZE } from '../../src/storage/types.js';
import { readAll } from '../helpers/streams.js';
import { body, bytes, multipartEtag, quotedMd5, rejectsWith, type Conformance } from './context.js';

export function multipartConformance(c: Conformance): void {
  describe('multipart uploads', () => {
    let bucket: string;
    before(async () => {
      bucket = await c.newBucket();
    });

    async function upload(key: string, parts: readonly Buffer[]) {
      const store = c.store();
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      const infos = [];
      for (const [i, part] of parts.entries()) {
        infos.push(await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(part), contentLength: part.length }));
      }
      return { uploadId, infos };
    }

    it('assembles the parts into one object: S3 ETag, bytes whole, ranges across parts, reads by part number', async () => {
      const store = c.store();
      const parts = [bytes(MIN_PART_SIZE), bytes(1234)];
      const key = 'mp/assembled';
      const { uploadId } = await store.createMultipartUpload({
        bucket,
        key,
        contentType: 'text/x-parts',
        metadata: { origin: 'parts' },
      });
      const infos = [];
      for (const [i, part] of parts.entries()) {
        const info = await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(part) });
        assert.equal(info.etag, quotedMd5(part));
        assert.equal(info.partNumber, i + 1);
        infos.push(info);
      }
      const whole = Buffer.concat(parts);
      const meta = await store.completeMultipartUpload({
        bucket,
        key,
        uploadId,
        parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      });
      assert.equal(meta.etag, multipartEtag(parts));
      const head = await store.headObject({ bucket, key });
      assert.equal(head.etag, multipartEtag(parts));
      assert.equal(head.size, whole.length);
      assert.equal(head.contentType, 'text/x-parts');
      assert.deepEqual(head.metadata, { origin: 'parts' });
      const got = await store.getObject({ bucket, key });
      assert.ok((await readAll(got.body)).equals(whole), 'the object is the parts in order');

      const across = await store.getObject({ bucket, key, range: { start: MIN_PART_SIZE - 10, end: MIN_PART_SIZE + 9 } });
      assert.ok((await readAll(across.body)).equals(whole.subarray(MIN_PART_SIZE - 10, MIN_PART_SIZE + 10)));
      assert.deepEqual(across.range, { start: MIN_PART_SIZE - 10, end: MIN_PART_SIZE + 9 });
      const tail = await store.getObject({ bucket, key, range: { suffix: 1300 } });
      assert.ok((await readAll(tail.body)).equals(whole.subarray(whole.length - 1300)));

      for (const [i, part] of parts.entries()) {
        const one = await store.getObject({ bucket, key, partNumber: i + 1 });
        assert.ok((await readAll(one.body)).equals(part), `part ${i + 1}`);
        const start = i === 0 ? 0 : MIN_PART_SIZE;
        assert.deepEqual(one.range, { start, end: start + part.length - 1 });
        assert.equal(one.meta.partsCount, 2);
      }
    });

    it('lists parts in pages and uploads by prefix', async () => {
      const store = c.store();
      const own = await c.newBucket();
      const a = await store.createMultipartUpload({ bucket: own, key: 'list/a' });
      const b = await store.createMultipartUpload({ bucket: own, key: 'list/b' });
      const other = await store.createMultipartUpload({ bucket: own, key: 'other' });
      const parts = [bytes(10), bytes(20), bytes(30)];
      for (const [i, part] of parts.entries()) {
        await store.uploadPart({ bucket: own, key: 'list/a', uploadId: a.uploadId, partNumber: i + 1, body: body(part) });
      }
      const first = await store.listParts({ bucket: own, key: 'list/a', uploadId: a.uploadId, maxParts: 2 });
      assert.deepEqual(first.parts.map((p) => p.partNumber), [1, 2]);
      assert.equal(first.isTruncated, true);
      assert.equal(first.nextPartNumberMarker, 2);
      assert.equal(first.parts[1]?.size, 20);
      assert.equal(first.parts[1]?.etag, quotedMd5(parts[1] ?? Buffer.alloc(0)));
      const rest = await store.listParts({ bucket: own, key: 'list/a', uploadId: a.uploadId, partNumberMarker: 2 });
      assert.deepEqual(rest.parts.map((p) => [p.partNumber, p.size]), [[3, 30]]);
      assert.equal(rest.isTruncated, false);

      const listed = await store.listMultipartUploads({ bucket: own, prefix: 'list/' });
      assert.deepEqual(
        listed.uploads.map((u) => [u.key, u.uploadId]),
        [
          ['list/a', a.uploadId],
          ['list/b', b.uploadId],
        ],
      );
      assert.equal(listed.isTruncated, false);
      const paged = await store.listMultipartUploads({ bucket: own, maxUploads: 2 });
      assert.equal(paged.uploads.length, 2);
      assert.equal(paged.isTruncated, true);
      const next = await store.listMultipartUploads({
        bucket: own,
        keyMarker: paged.nextKeyMarker,
        uploadIdMarker: paged.nextUploadIdMarker,
      });
      assert.deepEqual(next.uploads.map((u) => u.key), ['other']);

      for (const [key, id] of [['list/a', a], ['list/b', b], ['other', other]] as const) {
        await store.abortMultipartUpload({ bucket: own, key, uploadId: id.uploadId });
      }
      assert.deepEqual((await store.listMultipartUploads({ bucket: own })).uploads, []);
    });

    it('replaces a part uploaded again under the same number', async () => {
      const store = c.store();
      const key = 'mp/replaced';
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      await store.uploadPart({ bucket, key, uploadId, partNumber: 1, body: body('first, longer') });
      const again = await store.uploadPart({ bucket, key, uploadId, partNumber: 1, body: body('second') });
      const { parts } = await store.listParts({ bucket, key, uploadId });
      assert.deepEqual(parts.map((p) => [p.partNumber, p.size, p.etag]), [[1, 6, quotedMd5(Buffer.from('second'))]]);
      await store.completeMultipartUpload({ bucket, key, uploadId, parts: [{ partNumber: 1, etag: again.etag }] });
      assert.equal((await readAll((await store.getObject({ bucket, key })).body)).toString(), 'second');
    });

    it('refuses completions out of order, naming unknown parts or ETags, or with small parts', async () => {
      const store = c.store();
      const key = 'mp/refused';
      const parts = [bytes(100), bytes(200)];
      const { uploadId, infos } = await upload(key, parts);
      const [one, two] = infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
      assert.ok(one && two);
      const complete = (list: { partNumber: number; etag: string }[]) =>
        store.completeMultipartUpload({ bucket, key, uploadId, parts: list });
      await rejectsWith(complete([two, one]), 'InvalidPartOrder');
      await rejectsWith(complete([{ ...one, etag: quotedMd5(Buffer.from('other')) }]), 'InvalidPart');
      await rejectsWith(complete([one, { partNumber: 3, etag: two.etag }]), 'InvalidPart');
      await rejectsWith(complete([one, two]), 'EntityTooSmall');
      await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
      // the upload is still there after refusals; ETags may come without their quotes; unlisted parts are dropped
      const meta = await complete([{ partNumber: 1, etag: one.etag.replace(/"/g, '') }]);
      assert.equal(meta.etag, multipartEtag([parts[0] ?? Buffer.alloc(0)]));
      assert.ok((await readAll((await store.getObject({ bucket, key })).body)).equals(parts[0] ?? Buffer.alloc(0)));
    });

    it('answers NoSuchUpload once an upload is completed or aborted, and for an unknown one', async () => {
      const store = c.store();
      const done = await upload('mp/done', [Buffer.from('x')]);
      await store.completeMultipartUpload({
        bucket,
        key: 'mp/done',
        uploadId: done.uploadId,
        parts: [{ partNumber: 1, etag: done.infos[0]?.etag ?? '' }],
      });
      await rejectsWith(store.uploadPart({ bucket, key: 'mp/done', uploadId: done.uploadId, partNumber: 2, body: body('y') }), 'NoSuchUpload');
      await rejectsWith(store.listParts({ bucket, key: 'mp/done', uploadId: done.uploadId }), 'NoSuchUpload');

      const aborted = await upload('mp/aborted', [Buffer.from('x')]);
      await store.abortMultipartUpload({ bucket, key: 'mp/aborted', uploadId: aborted.uploadId });
      await rejectsWith(store.listParts({ bucket, key: 'mp/aborted', uploadId: aborted.uploadId }), 'NoSuchUpload');
      await rejectsWith(
        store.completeMultipartUpload({
          bucket,
          key: 'mp/aborted',
          uploadId: aborted.uploadId,
          parts: [{ partNumber: 1, etag: aborted.infos[0]?.etag ?? '' }],
        }),
        'NoSuchUpload',
      );
      await rejectsWith(store.abortMultipartUpload({ bucket, key: 'mp/aborted', uploadId: aborted.uploadId }), 'NoSuchUpload');
      await rejectsWith(store.headObject({ bucket, key: 'mp/aborted' }), 'NoSuchKey');

      const unknown = '2~nosuchuploadnosuchuploadnosuchu';
      await rejectsWith(store.uploadPart({ bucket, key: 'mp/unknown', uploadId: unknown, partNumber: 1, body: body('z') }), 'NoSuchUpload');
      await rejectsWith(store.abortMultipartUpload({ bucket, key: 'mp/unknown', uploadId: unknown }), 'NoSuchUpload');
    });

    it('refuses to complete over an existing key with If-None-Match: *', async () => {
      const store = c.store();
      const key = 'mp/guarded';
      await store.putObject({ bucket, key, body: body('old') });
      const { uploadId, infos } = await upload(key, [Buffer.from('new')]);
      await rejectsWith(
        store.completeMultipartUpload({
          bucket,
          key,
          uploadId,
          ifNoneMatch: '*',
          parts: [{ partNumber: 1, etag: infos[0]?.etag ?? '' }],
        }),
        'PreconditionFailed',
      );
      assert.equal((await readAll((await store.getObject({ bucket, key })).body)).toString(), 'old');
      await store.abortMultipartUpload({ bucket, key, uploadId });
    });

    it('copies ranges of an object into parts', async () => {
      const store = c.store();
      const source = bytes(MIN_PART_SIZE + 100);
      await store.putObject({ bucket, key: 'mp/source', body: body(source) });
      const key = 'mp/copied';
      const { uploadId } = await store.createMultipartUpload({ bucket, key });
      const copy = (partNumber: number, start: number, end: number) =>
        store.uploadPartCopy({
          bucket,
          key,
          uploadId,
          partNumber,
          sourceBucket: bucket,
          sourceKey: 'mp/source',
          sourceRange: { start, end },
        });
      const first = await copy(1, 0, MIN_PART_SIZE - 1);
      const second = await copy(2, MIN_PART_SIZE, MIN_PART_SIZE + 99);
      assert.equal(first.etag, quotedMd5(source.subarray(0, MIN_PART_SIZE)));
      assert.equal(second.etag, quotedMd5(source.subarray(MIN_PART_SIZE)));
      await store.completeMultipartUpload({
        bucket,
        key,
        uploadId,
        parts: [first, second].map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      });
      assert.ok((await readAll((await store.getObject({ bucket, key })).body)).equals(source));
    });
  });
}
