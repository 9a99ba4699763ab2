/** Conformance: flexible checksums (x-amz-checksum-*) on PUTs and parts, or their refusal. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { it, describe, before } from '../helpers/suites.js';
import { ChecksumSet, compositeChecksum } from '../../src/storage/checksums.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../src/storage/types.js';
import { body, bytes, rejectsWith, type Conformance } from './context.js';

/** The base64 digest, computed apart from the stores' own code where Node has the algorithm. */
async function expected(algorithm: ChecksumAlgorithm, data: Buffer): Promise<string> {
  switch (algorithm) {
    case 'CRC32': {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(zlib.crc32(data));
      return out.toString('base64');
    }
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64');
    default: {
      const set = new ChecksumSet([algorithm]);
      set.update(data);
      const value = (await set.finish())[algorithm];
      assert.ok(value);
      return value;
    }
  }
}

export function checksumConformance(c: Conformance): void {
  describe('checksums', () => {
    let bucket: string;
    before(async () => {
      bucket = await c.newBucket();
    });
    const data = Buffer.from('bytes with a checksum');
    const other = Buffer.from('some other bytes');

    for (const algorithm of CHECKSUM_ALGORITHMS) {
      it(`${algorithm}: kept when right, BadDigest when wrong, or refused with NotImplemented`, async () => {
        const store = c.store();
        const key = `checked-${algorithm}`;
        const right = await expected(algorithm, data);
        const wrong = await expected(algorithm, other);
        const put = (value: string) => store.putObject({ bucket, key, body: body(data), checksums: { [algorithm]: value } });
        if (!store.capabilities.checksums.includes(algorithm)) {
          await rejectsWith(put(right), 'NotImplemented');
          await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
          return;
        }
        await rejectsWith(put(wrong), 'BadDigest');
        await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
        const meta = await put(right);
        assert.equal(meta.checksums?.[algorithm], right);
        assert.equal((await store.headObject({ bucket, key })).checksums?.[algorithm], right);
        // asked for without a value: computed and kept
        await store.putObject({ bucket, key: `${key}-asked`, body: body(data), checksumAlgorithm: algorithm });
        assert.equal((await store.headObject({ bucket, key: `${key}-asked` })).checksums?.[algorithm], right);
      });
    }

    it('checks the checksums of parts and keeps their composite on the object', async (t) => {
      const store = c.store();
      const algorithm = store.capabilities.checksums[0];
      if (!algorithm) {
        t.diagnostic('this store takes no checksums: parts carrying one are refused');
        const { uploadId } = await store.createMultipartUpload({ bucket, key: 'parts' });
        const value = await expected('SHA256', data);
        await rejectsWith(
          store.uploadPart({ bucket, key: 'parts', uploadId, partNumber: 1, body: body(data), checksums: { SHA256: value } }),
          'NotImplemented',
        );
        await store.abortMultipartUpload({ bucket, key: 'parts', uploadId });
        return;
      }
      const key = `parts-${algorithm}`;
      const parts = [bytes(5 * 1024 * 1024), bytes(77)];
      const { uploadId } = await store.createMultipartUpload({ bucket, key, checksumAlgorithm: algorithm });
      await rejectsWith(
        store.uploadPart({
          bucket,
          key,
          uploadId,
          partNumber: 1,
          body: body(parts[0] ?? Buffer.alloc(0)),
          checksums: { [algorithm]: await expected(algorithm, other) },
        }),
        'BadDigest',
      );
      assert.deepEqual((await store.listParts({ bucket, key, uploadId })).parts, [], 'a refused part is not kept');
      const values: string[] = [];
      const completed = [];
      for (const [i, part] of parts.entries()) {
        const value = await expected(algorithm, part);
        values.push(value);
        const info = await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(part), checksums: { [algorithm]: value } });
        assert.equal(info.checksums?.[algorithm], value);
        completed.push({ partNumber: i + 1, etag: info.etag, checksums: { [algorithm]: value } });
      }
      await store.completeMultipartUpload({ bucket, key, uploadId, parts: completed });
      const head = await store.headObject({ bucket, key });
      assert.equal(head.checksums?.[algorithm], await compositeChecksum(algorithm, values));
    });
  });
}
