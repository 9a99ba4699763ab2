/**
 * Conformance: server-side encryption. Each mode the store offers must round-trip its bytes (whole, by
 * range, through multipart and copies) and report itself; a mode it does not offer must be refused with
 * NotImplemented (through checkedStore, as the faces call it), never stored in the clear.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { checkedStore } from '../../src/core/checked-store.js';
import { ENCRYPTION_MODES, type CustomerKey, type EncryptionMode, type EncryptionRequest } from '../../src/storage/types.js';
import { describe, it } from '../helpers/suites.js';
import { readAll } from '../helpers/streams.js';
import { body, minPart, rejectsWith, type ConformanceContext } from './support.js';

function customerKey(): CustomerKey {
  const key = randomBytes(32);
  return { key, keyMd5: createHash('md5').update(key).digest('base64') };
}

function requestFor(mode: EncryptionMode, key: CustomerKey): EncryptionRequest {
  return mode === 'SSE-C' ? { mode, customerKey: key } : { mode };
}

export function encryptionSection(ctx: ConformanceContext): void {
  describe('encryption', () => {
    for (const mode of ENCRYPTION_MODES) {
      it(`${mode}: round-trips whole, by range, through multipart and a copy, or is refused with NotImplemented`, async () => {
        const store = checkedStore(ctx.store);
        const bucket = await ctx.newBucket();
        const key = customerKey();
        const encryption = requestFor(mode, key);
        const read = mode === 'SSE-C' ? key : undefined;
        const data = randomBytes(70_000);
        if (!store.capabilities.encryption.includes(mode)) {
          await rejectsWith(store.putObject({ bucket, key: 'k', body: body(data), encryption }), 'NotImplemented');
          await rejectsWith(store.createMultipartUpload({ bucket, key: 'k', encryption }), 'NotImplemented');
          await rejectsWith(store.headObject({ bucket, key: 'k' }), 'NoSuchKey'); // nothing stored in the clear
          return;
        }
        const put = await store.putObject({ bucket, key: 'k', body: body(data), encryption });
        assert.equal(put.encryption?.mode, mode);
        const head = await store.headObject({ bucket, key: 'k', customerKey: read });
        assert.equal(head.encryption?.mode, mode);
        assert.equal(head.size, data.length);
        const range = await store.getObject({ bucket, key: 'k', range: { start: 1000, end: 50_000 }, customerKey: read });
        assert.deepEqual(await readAll(range.body), data.subarray(1000, 50_001));

        const { uploadId, encryption: info } = await store.createMultipartUpload({ bucket, key: 'mp', encryption });
        assert.equal(info?.mode, mode);
        const first = minPart();
        const p1 = await store.uploadPart({ bucket, key: 'mp', uploadId, partNumber: 1, body: body(first), customerKey: read });
        const p2 = await store.uploadPart({ bucket, key: 'mp', uploadId, partNumber: 2, body: body(data), customerKey: read });
        const done = await store.completeMultipartUpload({
          bucket,
          key: 'mp',
          uploadId,
          customerKey: read,
          parts: [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }],
        });
        assert.equal(done.encryption?.mode, mode);
        const across = await store.getObject({ bucket, key: 'mp', range: { start: first.length - 10, end: first.length + 10 }, customerKey: read });
        assert.deepEqual(await readAll(across.body), Buffer.concat([first, data]).subarray(first.length - 10, first.length + 11));

        const copy = await store.copyObject({ bucket, key: 'clear', sourceBucket: bucket, sourceKey: 'k', sourceCustomerKey: read });
        assert.equal(copy.encryption, undefined, 'a copy does not inherit the source encryption');
        assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'clear' })).body), data);
      });
    }
  });
}
