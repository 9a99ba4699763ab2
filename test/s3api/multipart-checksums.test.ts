/**
 * Multipart objects' checksums and parts through the S3 face with the AWS SDK (default settings): the
 * checksum a completion expects, and GetObjectAttributes' parts, paged. On each store.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  UploadPartCommand,
  type GetObjectAttributesCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MIN_PART_SIZE } from '../../src/storage/types.js';
import { after, before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { bucketName, openFace, rejectsWithCode } from './sdk-support.js';

const ALL = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

/** A multipart object of these parts, uploaded with SHA-256 checksums; its composite checksum. */
async function uploadParts(s3: S3Client, bucket: string, key: string, parts: readonly Buffer[], expected?: string): Promise<string | undefined> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: sha256(body) }));
    done.push({ PartNumber: i + 1, ETag, ChecksumSHA256: sha256(body) });
  }
  const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done }, ChecksumSHA256: expected }));
  return completed.ChecksumSHA256;
}

// The fs store only: the s3 store on Ceph RGW 16 keeps no checksums (S3GATE_S3_CHECKSUMS=none) and cannot
// read a part by number, both declared limits checked in the conformance suite.
for (const under of storesUnderTest().filter((store) => store.name === 'fs')) {
  describe(`GetObjectAttributes of multipart objects through the AWS SDK (${under.name})`, { skip: under.skip }, () => {
    const bucket = bucketName('attrs');
    let face: Awaited<ReturnType<typeof openFace>> | undefined;
    const s3 = () => face?.s3 ?? assert.fail('no face');
    const parts = [randomBytes(MIN_PART_SIZE), randomBytes(MIN_PART_SIZE + 7), randomBytes(1234)];
    let composite: string | undefined;
    const attributes = (over: Partial<GetObjectAttributesCommandInput> = {}) =>
      s3().send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'parts', ObjectAttributes: [...ALL], ...over }));

    before(async () => {
      face = await openFace(under, bucket);
      composite = await uploadParts(face.s3, bucket, 'parts', parts);
    });
    after(() => face?.close());

    it('lists every part with its size, and the composite checksum with its part count', async () => {
      const answer = await attributes();
      assert.equal(answer.ObjectSize, parts.reduce((sum, part) => sum + part.length, 0));
      assert.equal(answer.ObjectParts?.TotalPartsCount, 3);
      assert.equal(answer.ObjectParts?.IsTruncated, false);
      assert.equal(answer.ObjectParts?.MaxParts, 1000);
      assert.equal(answer.ObjectParts?.NextPartNumberMarker, undefined);
      assert.deepEqual(answer.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), parts.map((part, i) => [i + 1, part.length]));
      for (const [i, part] of (answer.ObjectParts?.Parts ?? []).entries()) {
        // a store that keeps each part's checksum gives it; none may give another part's or the object's
        if (part.ChecksumSHA256 !== undefined) assert.equal(part.ChecksumSHA256, sha256(parts[i] ?? Buffer.alloc(0)));
      }
      assert.ok(composite?.endsWith('-3'), `a composite checksum: ${composite}`);
      assert.equal(answer.Checksum?.ChecksumSHA256, composite);
      assert.equal(answer.Checksum?.ChecksumType, 'COMPOSITE');
    });

    it('pages the parts with x-amz-max-parts and x-amz-part-number-marker', async () => {
      const first = await attributes({ MaxParts: 1, PartNumberMarker: '1' });
      assert.deepEqual(first.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[2, MIN_PART_SIZE + 7]]);
      assert.equal(first.ObjectParts?.IsTruncated, true);
      assert.equal(first.ObjectParts?.NextPartNumberMarker, '2');
      assert.equal(first.ObjectParts?.PartNumberMarker, '1');
      assert.equal(first.ObjectParts?.MaxParts, 1);
      const rest = await attributes({ MaxParts: 10, PartNumberMarker: first.ObjectParts?.NextPartNumberMarker });
      assert.deepEqual(rest.ObjectParts?.Parts?.map((p) => p.PartNumber), [3]);
      assert.equal(rest.ObjectParts?.IsTruncated, false);
      const beyond = await attributes({ PartNumberMarker: '3' });
      assert.equal(beyond.ObjectParts?.Parts, undefined);
      assert.equal(beyond.ObjectParts?.TotalPartsCount, 3);
      await rejectsWithCode(attributes({ MaxParts: -1 }), 'InvalidArgument', 400);
    });

    it('completes an upload whose expected checksum is the composite of its parts, with or without its -N', async () => {
      assert.ok(composite);
      assert.equal(await uploadParts(s3(), bucket, 'expected', parts, composite), composite);
      assert.equal(await uploadParts(s3(), bucket, 'expected', parts, composite.replace(/-3$/, '')), composite);
    });

    it('refuses with BadDigest a completion that expects another checksum, and keeps no object', async () => {
      const other = createHash('sha256').update('other').digest('base64');
      await rejectsWithCode(uploadParts(s3(), bucket, 'unexpected', parts, `${other}-3`), 'BadDigest', 400);
      await rejectsWithCode(uploadParts(s3(), bucket, 'unexpected', parts, 'bad'), 'BadDigest', 400);
      await rejectsWithCode(uploadParts(s3(), bucket, 'unexpected', parts, composite?.replace(/-3$/, '-2')), 'BadDigest', 400);
      await rejectsWithCode(attributes({ Key: 'unexpected' }), 'NoSuchKey', 404);
    });

    it('refuses with BadDigest an expected checksum when a part lists none', async () => {
      const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'bare', ChecksumAlgorithm: 'SHA256' }));
      const body = parts[2] ?? Buffer.alloc(0);
      const { ETag } = await s3().send(new UploadPartCommand({ Bucket: bucket, Key: 'bare', UploadId, PartNumber: 1, Body: body, ChecksumAlgorithm: 'SHA256' }));
      const complete = new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'bare', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }, ChecksumSHA256: `${sha256(body)}-1` });
      await rejectsWithCode(s3().send(complete), 'BadDigest', 400);
    });

    it('leaves the parts out when only other attributes are asked for', async () => {
      const answer = await attributes({ ObjectAttributes: ['ObjectSize'] });
      assert.equal(answer.ObjectParts, undefined);
    });
  });
}
