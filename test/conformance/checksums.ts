/**
 * Conformance: S3's flexible checksums (x-amz-checksum-*). Every algorithm is tested on every store: one the
 * store offers (capabilities.checksums) must be checked, kept and reported; one it does not must be refused
 * with NotImplemented, storing nothing. The expected digests are computed here with the libraries directly.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, it } from '../helpers/suites.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../../src/storage/types.js';
import { body, getBytes, minPart, rejectsWith, type ConformanceContext } from './support.js';

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The binary digest of `data`. */
async function digestOf(algorithm: ChecksumAlgorithm, data: Buffer): Promise<Buffer> {
  switch (algorithm) {
    case 'CRC32':
      return uint32(zlib.crc32(data));
    case 'CRC32C':
      return uint32(new Crc32c().update(data).digest());
    case 'CRC64NVME': {
      const crc = new Crc64Nvme();
      crc.update(data);
      return Buffer.from(await crc.digest());
    }
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

const b64 = async (algorithm: ChecksumAlgorithm, data: Buffer) => (await digestOf(algorithm, data)).toString('base64');

/** The check values of "123456789" that each CRC's specification gives: the digests above are the right ones. */
const CHECK_VALUES: Partial<Record<ChecksumAlgorithm, string>> = { CRC32: 'cbf43926', CRC32C: 'e3069283', CRC64NVME: 'ae8b14860a799888' };

export function checksumSection(ctx: ConformanceContext): void {
  describe('checksums', () => {
    const offered = (algorithm: ChecksumAlgorithm) => ctx.store.capabilities.checksums.includes(algorithm);

    it('computes the CRCs the specifications define', async () => {
      for (const [algorithm, hex] of Object.entries(CHECK_VALUES)) {
        assert.equal((await digestOf(algorithm as ChecksumAlgorithm, Buffer.from('123456789'))).toString('hex'), hex, algorithm);
      }
    });

    for (const algorithm of CHECKSUM_ALGORITHMS) {
      it(`${algorithm}: checked and kept when offered, refused with NotImplemented otherwise`, async () => {
        const { store } = ctx;
        const bucket = await ctx.newBucket();
        const small = Buffer.from(`small body for ${algorithm}`);
        const large = randomBytes(300 * 1024 + 3); // beyond what any store keeps inline
        if (!offered(algorithm)) {
          await rejectsWith(
            store.putObject({ bucket, key: 'refused', body: body(small), checksums: { [algorithm]: await b64(algorithm, small) } }),
            'NotImplemented',
          );
          await rejectsWith(store.putObject({ bucket, key: 'refused', body: body(small), checksumAlgorithm: algorithm }), 'NotImplemented');
          await rejectsWith(store.headObject({ bucket, key: 'refused' }), 'NoSuchKey');
          await rejectsWith(store.createMultipartUpload({ bucket, key: 'refused', checksumAlgorithm: algorithm }), 'NotImplemented');
          return;
        }
        for (const [key, data] of [
          ['small', small],
          ['large', large],
        ] as const) {
          const value = await b64(algorithm, data);
          const meta = await store.putObject({ bucket, key, body: body(data), checksums: { [algorithm]: value } });
          assert.equal(meta.checksums?.[algorithm], value, `${key}: the put reports it`);
          assert.equal((await store.headObject({ bucket, key })).checksums?.[algorithm], value, `${key}: kept with the object`);
          const got = await store.getObject({ bucket, key });
          assert.equal(got.meta.checksums?.[algorithm], value, `${key}: a get reports it`);
          got.body.resume();

          const wrong = await b64(algorithm, Buffer.concat([data, Buffer.from('!')]));
          await rejectsWith(
            store.putObject({ bucket, key, body: body(Buffer.from('replacement')), checksums: { [algorithm]: wrong } }),
            'BadDigest',
          );
          await rejectsWith(store.putObject({ bucket, key: `${key}-never`, body: body(data), checksums: { [algorithm]: wrong } }), 'BadDigest');
          await rejectsWith(store.headObject({ bucket, key: `${key}-never` }), 'NoSuchKey');
          assert.deepEqual(await getBytes(store, bucket, key), data, `${key}: the old version stays`);
        }
        // asked for without a value: computed and kept
        const computed = await store.putObject({ bucket, key: 'asked', body: body(large), checksumAlgorithm: algorithm });
        assert.equal(computed.checksums?.[algorithm], await b64(algorithm, large));
        assert.equal((await store.headObject({ bucket, key: 'asked' })).checksums?.[algorithm], await b64(algorithm, large));
        // and for a copy, over the bytes copied
        const copy = await store.copyObject({ sourceBucket: bucket, sourceKey: 'small', bucket, key: 'copy', checksumAlgorithm: algorithm });
        assert.equal(copy.checksums?.[algorithm], await b64(algorithm, small));
        assert.equal((await store.headObject({ bucket, key: 'copy' })).checksums?.[algorithm], await b64(algorithm, small));
      });
    }

    it('checks the parts of an upload created with a checksum algorithm, and keeps their composite', async () => {
      const { store } = ctx;
      const bucket = await ctx.newBucket();
      // CRC64NVME is left out: S3 gives it only full-object checksums, never the composite of parts
      const algorithm = (['CRC32', 'CRC32C', 'SHA256', 'SHA1'] as const).find(offered) ?? 'CRC32';
      if (!offered(algorithm)) {
        await rejectsWith(store.createMultipartUpload({ bucket, key: 'k', checksumAlgorithm: algorithm }), 'NotImplemented');
        return;
      }
      const key = 'summed';
      const parts = [minPart(9), Buffer.from('last part')];
      const values = await Promise.all(parts.map((p) => b64(algorithm, p)));
      const { uploadId } = await store.createMultipartUpload({ bucket, key, checksumAlgorithm: algorithm });
      await rejectsWith(
        store.uploadPart({ bucket, key, uploadId, partNumber: 1, body: body(parts[0] as Buffer), checksums: { [algorithm]: values[1] } }),
        'BadDigest',
      );
      const done = [];
      for (const [i, data] of parts.entries()) {
        const part = await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(data), checksums: { [algorithm]: values[i] } });
        assert.equal(part.checksums?.[algorithm], values[i], 'the part reports its checksum');
        done.push({ partNumber: i + 1, etag: part.etag, checksums: { [algorithm]: values[i] } });
      }
      const listed = await store.listParts({ bucket, key, uploadId });
      assert.equal(listed.checksumAlgorithm, algorithm);
      assert.deepEqual(
        listed.parts.map((p) => p.checksums?.[algorithm]),
        values,
      );
      const meta = await store.completeMultipartUpload({ bucket, key, uploadId, parts: done });
      const joined = Buffer.concat(values.map((v) => Buffer.from(v, 'base64')));
      const expected = `${await b64(algorithm, joined)}-${parts.length}`;
      assert.equal(meta.checksums?.[algorithm], expected);
      assert.equal((await store.headObject({ bucket, key })).checksums?.[algorithm], expected);
      assert.deepEqual(await getBytes(store, bucket, key), Buffer.concat(parts));
    });
  });
}
