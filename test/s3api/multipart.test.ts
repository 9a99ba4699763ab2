/** Multipart uploads through the S3 face, with the real AWS SDK v3 and lib-storage at their defaults, on each store. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MIN_PART_SIZE } from '../../src/storage/types.js';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest, type TestServer } from '../helpers/server.js';
import { bodyBytes, bucketName, md5Hex, openFace, MINE_KEY, multipartEtag, rejectsWithCode, sdkClient } from './sdk-support.js';

const MiB = 1024 * 1024;
const BIG_TOTAL = 100 * MiB + 12_345;

/** `total` random bytes in 1 MiB chunks, hashed as they are made: the test never holds them all. */
async function* randomChunks(total: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; sent += MiB) {
    const chunk = randomBytes(Math.min(MiB, total - sent));
    hash.update(chunk);
    yield chunk;
  }
}

async function md5OfStream(body: unknown): Promise<{ md5: string; length: number }> {
  const hash = createHash('md5');
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { md5: hash.digest('hex'), length };
}

for (const under of storesUnderTest()) {
  const onRgw = under.name.startsWith('s3');
  describe(`S3 API multipart uploads through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    let server: TestServer;
    let s3: S3Client;
    let close: (() => Promise<void>) | undefined;
    const bucket = bucketName('mp');

    before(async () => {
      ({ server, s3, close } = await openFace(under, bucket));
    });

    after(async () => close?.());

    /** Creates an upload of `key` and uploads `parts` (numbered from 1); returns its id and the parts' list. */
    async function uploadParts(key: string, parts: Buffer[]): Promise<{ uploadId: string; done: CompletedPart[] }> {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      assert.ok(UploadId);
      const done: CompletedPart[] = [];
      for (const [i, data] of parts.entries()) {
        const out = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: data }));
        done.push({ PartNumber: i + 1, ETag: out.ETag });
      }
      return { uploadId: UploadId, done };
    }

    const complete = (key: string, uploadId: string, parts: CompletedPart[], extra: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }));

    it('uploads 100 MB streamed by lib-storage, and gives the same bytes back', async () => {
      const sent = createHash('md5');
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: 'big/stream.bin', Body: Readable.from(randomChunks(BIG_TOTAL, sent)), ContentType: 'application/x-big', Metadata: { origin: 'lib-storage' } },
      });
      const done = await upload.done();
      assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-(2[1-9]|[3-9]\d)"$/, 'a multipart ETag of some 21 parts');
      assert.equal(done.Key, 'big/stream.bin');
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/stream.bin' }));
      assert.equal(head.ContentLength, BIG_TOTAL);
      assert.equal(head.ContentType, 'application/x-big');
      assert.deepEqual(head.Metadata, { origin: 'lib-storage' });
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big/stream.bin' }));
      assert.deepEqual(await md5OfStream(got.Body), { md5: sent.digest('hex'), length: BIG_TOTAL });
      assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'big/' }))).Uploads ?? [], []);
    });

    it('assembles explicit parts with the headers, metadata, tags and checksum algorithm given at creation', async () => {
      const key = 'explicit/assembled.bin';
      const first = randomBytes(MIN_PART_SIZE + 1);
      const second = Buffer.from('the short last part');
      const created = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: 'text/x-parts',
          CacheControl: 'max-age=7',
          Metadata: { made: 'by-parts' },
          Tagging: 'stage=two&note=a%20b',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      const UploadId = created.UploadId;
      assert.equal(created.Bucket, bucket);
      assert.equal(created.Key, key);
      // a store that keeps no SHA-256 does not claim the upload keeps one
      assert.equal(created.ChecksumAlgorithm, onRgw ? undefined : 'SHA256');
      const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');
      const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: first, ChecksumAlgorithm: 'SHA256' }));
      assert.equal(p1.ETag, `"${md5Hex(first)}"`);
      assert.equal(p1.ChecksumSHA256, onRgw ? undefined : sha256(first));
      const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: second, ChecksumAlgorithm: 'SHA256' }));
      const parts = [
        { PartNumber: 1, ETag: p1.ETag, ChecksumSHA256: p1.ChecksumSHA256 },
        { PartNumber: 2, ETag: p2.ETag, ChecksumSHA256: p2.ChecksumSHA256 },
      ];
      const done = await complete(key, UploadId!, parts);
      assert.equal(done.ETag, multipartEtag([first, second]));
      assert.equal(done.Bucket, bucket);
      assert.equal(done.Key, key);
      assert.equal(done.Location, `${server.url}/${bucket}/explicit/assembled.bin`);
      if (!onRgw) assert.match(done.ChecksumSHA256 ?? '', /^[A-Za-z0-9+/]{43}=-2$/, 'a composite SHA-256');
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.deepEqual(await bodyBytes(got.Body), Buffer.concat([first, second]));
      assert.equal(got.ContentType, 'text/x-parts');
      assert.equal(got.CacheControl, 'max-age=7');
      assert.deepEqual(got.Metadata, { made: 'by-parts' });
      assert.equal(got.ETag, done.ETag);
      assert.deepEqual(await server.store.getObjectTagging({ bucket, key }), { stage: 'two', note: 'a b' });

      // a part read of a multipart object: the bytes of that part, or a clear refusal where the backend cannot
      const partTwo = s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 2 }));
      if (onRgw) await rejectsWithCode(partTwo, 'NotImplemented', 501);
      else {
        const two = await partTwo;
        assert.deepEqual(await bodyBytes(two.Body), second);
        assert.equal(two.PartsCount, 2);
      }
      // the upload is over
      await rejectsWithCode(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId })), 'NoSuchUpload', 404);
    });

    it('refuses bad parts: part numbers, digests, unknown uploads, bodies of unknown length', async () => {
      const key = 'explicit/refused';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const part = (PartNumber: number, extra: Record<string, unknown> = {}) =>
        s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: 'part bytes', ...extra }));
      await rejectsWithCode(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumType: 'FULL_OBJECT' })), 'NotImplemented', 501);
      await rejectsWithCode(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ACL: 'public-read' })), 'NotImplemented', 501);
      await rejectsWithCode(part(0), 'InvalidArgument', 400);
      await rejectsWithCode(part(10_001), 'InvalidArgument', 400);
      await rejectsWithCode(part(1, { ContentMD5: createHash('md5').update('other bytes').digest('base64') }), 'BadDigest', 400);
      await rejectsWithCode(part(1, { ChecksumCRC32: 'AAAAAA==' }), 'BadDigest', 400);
      await rejectsWithCode(part(1, { UploadId: 'no-such-upload' }), 'NoSuchUpload', 404);
      // a body sent in chunks of unknown total (the SDK itself refuses to): S3 wants the length of a part
      const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1 }));
      const chunks = Readable.toWeb(Readable.from([Buffer.from('a stream '), Buffer.from('of unknown length')]));
      const unknownLength = await fetch(url, { method: 'PUT', body: chunks as ReadableStream, duplex: 'half' } as RequestInit);
      assert.equal(unknownLength.status, 411);
      assert.match(await unknownLength.text(), /<Code>MissingContentLength<\/Code>/);
      const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
      assert.deepEqual(listed.Parts ?? [], [], 'no refused part was kept');
      // the last of several uploads of one part number is the one kept
      await part(1);
      const last = await part(1, { Body: 'the part, again' });
      const again = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
      assert.deepEqual(again.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, last.ETag, 15]]);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    });

    it("refuses completions that break S3's rules, keeping the upload open", async () => {
      const key = 'explicit/rules';
      const big = randomBytes(MIN_PART_SIZE);
      const { uploadId, done } = await uploadParts(key, [Buffer.from('too small to come first'), big, Buffer.from('last')]);
      const [p1, p2, p3] = done as [CompletedPart, CompletedPart, CompletedPart];
      await rejectsWithCode(complete(key, uploadId, [p3, p2]), 'InvalidPartOrder', 400);
      await rejectsWithCode(complete(key, uploadId, [p2, { PartNumber: 3, ETag: p2.ETag }]), 'InvalidPart', 400);
      await rejectsWithCode(complete(key, uploadId, [p2, { PartNumber: 4, ETag: p3.ETag }]), 'InvalidPart', 400);
      await rejectsWithCode(complete(key, uploadId, [p1, p2]), 'EntityTooSmall', 400);
      await rejectsWithCode(complete(key, uploadId, []), 'MalformedXML', 400);
      await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 'NotFound', 404);
      const open = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      assert.equal(open.Parts?.length, 3, 'the upload is still open');

      // completing from some of the parts: done, or refused clearly where the backend cannot
      const some = complete(key, uploadId, [p2, p3]);
      if (onRgw) {
        await rejectsWithCode(some, 'NotImplemented', 501);
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        return;
      }
      assert.equal((await some).ETag, multipartEtag([big, Buffer.from('last')]));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.deepEqual(await bodyBytes(got.Body), Buffer.concat([big, Buffer.from('last')]));
    });

    it('completes conditionally: If-None-Match: * and If-Match', async () => {
      const key = 'explicit/conditional';
      const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'the first version' }));
      const { uploadId, done } = await uploadParts(key, [Buffer.from('the second version')]);
      await rejectsWithCode(complete(key, uploadId, done, { IfNoneMatch: '*' }), 'PreconditionFailed', 412);
      await rejectsWithCode(complete(key, uploadId, done, { IfMatch: `"${md5Hex(Buffer.from('another'))}"` }), 'PreconditionFailed', 412);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal((await bodyBytes(got.Body)).toString(), 'the first version');
      const completed = await complete(key, uploadId, done, { IfMatch: first.ETag });
      assert.equal(completed.ETag, multipartEtag([Buffer.from('the second version')]));
      const now = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal((await bodyBytes(now.Body)).toString(), 'the second version');

      const fresh = await uploadParts('explicit/fresh', [Buffer.from('new key')]);
      await complete('explicit/fresh', fresh.uploadId, fresh.done, { IfNoneMatch: '*' });
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'explicit/fresh' }));
    });

    it('answers a completion sent again as the first one (a 1-byte part), while the object is still what it made', async () => {
      const key = 'explicit/again';
      const { uploadId, done } = await uploadParts(key, [Buffer.from('x')]);
      const first = await complete(key, uploadId, done);
      const again = await complete(key, uploadId, done);
      assert.equal(again.ETag, first.ETag);
      assert.equal(again.ETag, multipartEtag([Buffer.from('x')]));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.equal((await bodyBytes(got.Body)).toString(), 'x');
      // once the key holds another object, the upload is gone for good
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'replaced' }));
      await rejectsWithCode(complete(key, uploadId, done), 'NoSuchUpload', 404);
    });

    it('aborts an upload (204), after which it is gone', async () => {
      const key = 'explicit/aborted';
      const { uploadId } = await uploadParts(key, [Buffer.from('discarded')]);
      const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      assert.equal(aborted.$metadata.httpStatusCode, 204);
      await rejectsWithCode(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId })), 'NoSuchUpload', 404);
      await rejectsWithCode(
        s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 2, Body: 'late' })),
        'NoSuchUpload',
        404,
      );
      await rejectsWithCode(s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })), 'NoSuchUpload', 404);
      await rejectsWithCode(complete(key, uploadId, [{ PartNumber: 1, ETag: '"0"' }]), 'NoSuchUpload', 404);
    });

    it('lists parts page by page', async () => {
      const key = 'lists/parts';
      const bodies = [Buffer.from('one'), Buffer.from('second'), Buffer.from('third part')];
      const { uploadId, done } = await uploadParts(key, bodies);
      const first = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: 2 }));
      assert.equal(first.IsTruncated, true);
      assert.equal(first.MaxParts, 2);
      assert.equal(first.NextPartNumberMarker, '2');
      assert.deepEqual(
        first.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]),
        [
          [1, done[0]?.ETag, 3],
          [2, done[1]?.ETag, 6],
        ],
      );
      assert.ok(first.Parts?.every((p) => p.LastModified instanceof Date));
      const second = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: 2, PartNumberMarker: first.NextPartNumberMarker }));
      assert.equal(second.IsTruncated, false);
      assert.equal(second.PartNumberMarker, '2');
      assert.deepEqual(second.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[3, done[2]?.ETag, 10]]);
      await rejectsWithCode(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: -1 })), 'InvalidArgument', 400);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    });

    it('lists open uploads with prefix, delimiter, markers, paging and URL encoding', async () => {
      const keys = ['uploads/a b', 'uploads/a b', 'uploads/dir/one', 'uploads/dir/two', 'uploads/z+%'];
      const ids: string[] = [];
      for (const key of keys) ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId ?? '');
      const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'uploads/' }));
      assert.deepEqual(all.Uploads?.map((u) => u.Key), keys);
      assert.deepEqual(new Set(all.Uploads?.map((u) => u.UploadId)), new Set(ids));
      assert.ok(all.Uploads?.every((u) => u.Initiated instanceof Date && u.StorageClass === 'STANDARD'));

      // one page at a time, two uploads of one key split across pages
      const seen: string[] = [];
      let markers: { KeyMarker?: string | undefined; UploadIdMarker?: string | undefined } = {};
      for (let page = 0; page < 5; page++) {
        const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'uploads/', MaxUploads: 2, ...markers }));
        assert.equal(out.MaxUploads, 2);
        seen.push(...(out.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`));
        if (!out.IsTruncated) break;
        markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
      }
      assert.deepEqual(seen, all.Uploads?.map((u) => `${u.Key} ${u.UploadId}`));

      const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'uploads/', Delimiter: '/' }));
      assert.deepEqual(grouped.CommonPrefixes?.map((c) => c.Prefix), ['uploads/dir/']);
      assert.deepEqual(grouped.Uploads?.map((u) => u.Key), ['uploads/a b', 'uploads/a b', 'uploads/z+%']);
      assert.equal(grouped.Delimiter, '/');

      const encoded = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'uploads/z', EncodingType: 'url' }));
      assert.equal(encoded.EncodingType, 'url');
      assert.deepEqual(encoded.Uploads?.map((u) => u.Key), ['uploads/z%2B%25'], 'percent-encoded, "/" left as it is');
      assert.equal(encoded.Prefix, 'uploads/z');

      for (const [i, key] of keys.entries()) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: ids[i] }));
    });

    it('copies parts from other objects, whole or by range, under source conditions', async () => {
      const sourceKey = 'copy/a b/ü+%.bin';
      const source = randomBytes(MIN_PART_SIZE + 1000);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: sourceKey, Body: source }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/small', Body: 'small tail' }));
      const CopySource = `${bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`;
      const key = 'copy/assembled';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const copyPart = (PartNumber: number, extra: Record<string, unknown>) =>
        s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, CopySource, ...extra }));

      const end = MIN_PART_SIZE + 499;
      const ranged = await copyPart(1, { CopySourceRange: `bytes=10-${end}`, CopySourceIfMatch: put.ETag });
      const firstBytes = source.subarray(10, end + 1);
      assert.equal(ranged.CopyPartResult?.ETag, `"${md5Hex(firstBytes)}"`);
      assert.ok(ranged.CopyPartResult?.LastModified instanceof Date);
      const whole = await copyPart(2, { CopySource: `/${bucket}/copy/small` });
      assert.equal(whole.CopyPartResult?.ETag, `"${md5Hex(Buffer.from('small tail'))}"`);

      await rejectsWithCode(copyPart(3, { CopySourceIfMatch: '"00000000000000000000000000000000"' }), 'PreconditionFailed', 412);
      await rejectsWithCode(copyPart(3, { CopySourceIfNoneMatch: put.ETag }), 'PreconditionFailed', 412);
      await rejectsWithCode(copyPart(3, { CopySourceIfModifiedSince: new Date(Date.now() + 3_600_000) }), 'PreconditionFailed', 412);
      await rejectsWithCode(copyPart(3, { CopySourceRange: `bytes=0-${source.length}` }), 'InvalidRange', 416);
      await rejectsWithCode(copyPart(3, { CopySourceRange: 'bytes=5-' }), 'InvalidArgument', 400);
      await rejectsWithCode(copyPart(3, { CopySource: `${bucket}/copy/missing` }), 'NoSuchKey', 404);
      await rejectsWithCode(copyPart(3, { UploadId: 'no-such-upload' }), 'NoSuchUpload', 404);

      const parts = [
        { PartNumber: 1, ETag: ranged.CopyPartResult?.ETag },
        { PartNumber: 2, ETag: whole.CopyPartResult?.ETag },
      ];
      const done = await complete(key, UploadId!, parts);
      assert.equal(done.ETag, multipartEtag([firstBytes, Buffer.from('small tail')]));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.deepEqual(await bodyBytes(got.Body), Buffer.concat([firstBytes, Buffer.from('small tail')]));
    });

    it('refuses keys outside the grants, telling nothing of what lies there', async () => {
      const mine = sdkClient(server.url, MINE_KEY);
      try {
        await rejectsWithCode(mine.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'theirs/x' })), 'AccessDenied', 403);
        const { UploadId } = await mine.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mine/x' }));
        await rejectsWithCode(mine.send(new ListPartsCommand({ Bucket: bucket, Key: 'theirs/x', UploadId })), 'AccessDenied', 403);
        await rejectsWithCode(mine.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'theirs/x', UploadId })), 'AccessDenied', 403);
        await rejectsWithCode(mine.send(new ListMultipartUploadsCommand({ Bucket: bucket })), 'AccessDenied', 403);
        const listed = await mine.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'mine/' }));
        assert.deepEqual(listed.Uploads?.map((u) => u.Key), ['mine/x']);
        // the source of a part copy must be readable: one that exists and one that does not answer alike
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'theirs/secret', Body: 'secret' }));
        for (const source of ['theirs/secret', 'theirs/never-there']) {
          await rejectsWithCode(
            mine.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'mine/x', UploadId, PartNumber: 1, CopySource: `${bucket}/${source}` })),
            'AccessDenied',
            403,
          );
        }
        const parts = await mine.send(new ListPartsCommand({ Bucket: bucket, Key: 'mine/x', UploadId }));
        assert.deepEqual(parts.Parts ?? [], []);
        await mine.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'mine/x', UploadId }));
      } finally {
        mine.destroy();
      }
    });
  });
}
