/**
 * The at-rest cipher (src/storage/encryption/): a read from any offset decrypts to exactly the bytes Node's
 * own AES-256-CTR gives over the whole buffer, across piece boundaries and IVs whose counter wraps; wrapped
 * data keys open only under the key, mode and id they were wrapped with.
 */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { decryptorAt, decryptSlice, encryptor, IV_BYTES, KeyRing, openRecord, sealNew } from '../../src/storage/encryption/index.js';
import { isServiceError } from '../../src/errors/codes.js';

function wholeCiphertext(key: Buffer, iv: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

describe('at-rest cipher: AES-256-CTR from any offset', () => {
  it('decrypts random ranges, read in random pieces, to the plaintext', () => {
    for (let round = 0; round < 200; round++) {
      const key = randomBytes(32);
      // every fourth IV ends in all-ones bytes, so the counter carries (and sometimes wraps the whole 128 bits)
      const iv = round % 4 === 0 ? Buffer.concat([randomBytes(round % 8 === 0 ? 0 : 8), Buffer.alloc(round % 8 === 0 ? 16 : 8, 0xff)]) : randomBytes(IV_BYTES);
      const plain = randomBytes(randomInt(1, 5000));
      const ciphertext = wholeCiphertext(key, iv, plain);
      const start = randomInt(0, plain.length);
      const end = randomInt(start, plain.length);
      const decipher = decryptorAt(key, iv, start);
      const out: Buffer[] = [];
      for (let at = start; at <= end; ) {
        const piece = Math.min(end + 1 - at, randomInt(1, 100));
        out.push(decipher.update(ciphertext.subarray(at, at + piece)));
        at += piece;
      }
      assert.deepEqual(Buffer.concat(out), plain.subarray(start, end + 1), `round ${round}: ${start}-${end} of ${plain.length}`);
      assert.deepEqual(decryptSlice(key, iv, start, ciphertext.subarray(start, end + 1)), plain.subarray(start, end + 1));
    }
  });

  it('encrypts in pieces as Node does over the whole buffer', () => {
    const key = randomBytes(32);
    const iv = randomBytes(IV_BYTES);
    const plain = randomBytes(70_001);
    const cipher = encryptor(key, iv);
    const out: Buffer[] = [];
    for (let at = 0; at < plain.length; at += 4099) out.push(cipher.update(plain.subarray(at, at + 4099)));
    assert.deepEqual(Buffer.concat(out), wholeCiphertext(key, iv, plain));
  });
});

describe('at-rest cipher: wrapped data keys', () => {
  const ring = new KeyRing([
    { id: 'main', key: randomBytes(32) },
    { id: 'other', key: randomBytes(32) },
  ]);
  const customerKey = { key: randomBytes(32), keyMd5: 'md5' };

  it('opens each record under its own key only, and a swapped record fails', () => {
    const s3 = sealNew(ring, { mode: 'AES256' }, undefined);
    const kms = sealNew(ring, { mode: 'aws:kms', keyId: 'other' }, undefined);
    const ssec = sealNew(ring, { mode: 'SSE-C', customerKey }, undefined);
    assert.ok(s3 && kms && ssec);
    assert.equal(s3.record.keyId, 'main');
    assert.deepEqual(openRecord(ring, s3.record, undefined), s3.dek);
    assert.deepEqual(openRecord(ring, kms.record, undefined), kms.dek);
    assert.deepEqual(openRecord(ring, ssec.record, customerKey), ssec.dek);
    // the same wrapped key claimed under another mode or key id fails authentication
    assert.throws(() => openRecord(ring, { ...s3.record, mode: 'aws:kms' }, undefined), (e) => isServiceError(e) && e.code === 'InternalError');
    assert.throws(() => openRecord(ring, { ...kms.record, keyId: 'main' }, undefined), (e) => isServiceError(e) && e.code === 'InternalError');
    assert.throws(() => openRecord(ring, ssec.record, { key: randomBytes(32), keyMd5: 'x' }), (e) => isServiceError(e) && e.code === 'InvalidArgument');
    assert.throws(() => openRecord(ring, ssec.record, undefined), (e) => isServiceError(e) && e.code === 'InvalidRequest');
    assert.throws(() => openRecord(ring, s3.record, customerKey), (e) => isServiceError(e) && e.code === 'InvalidRequest');
    assert.throws(() => sealNew(ring, { mode: 'aws:kms', keyId: 'nope' }, undefined), (e) => isServiceError(e) && e.code === 'KMS.NotFoundException');
  });

  it('refuses keys that are not 32 bytes without showing them', () => {
    const key = Buffer.from('0123456789abcdef');
    assert.throws(() => new KeyRing([{ id: 'short', key }]), (e: Error) => e.message.includes('short') && !e.message.includes(key.toString('base64')));
  });
});
