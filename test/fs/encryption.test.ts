/**
 * fs store encryption at rest: nothing of the plaintext on disk, ranges across encrypted parts, the SSE-C
 * key rules, copies between every pair of modes, bucket defaults, a restart, KMS key ids, and the refusal
 * of a store without keys.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { checkedStore } from '../../src/core/checked-store.js';
import { isServiceError } from '../../src/errors/codes.js';
import { KeyRing } from '../../src/storage/encryption/index.js';
import { openFsStore, type FsStore } from '../../src/storage/fs/index.js';
import type { CustomerKey, EncryptionRequest, ObjectStore } from '../../src/storage/types.js';
import { readAll } from '../helpers/streams.js';
import { tempDir } from '../helpers/server.js';
import { loadConfig, redactedConfig, ConfigError } from '../../src/config/load.js';

const MAIN = randomBytes(32);
const OTHER = randomBytes(32);
const ring = new KeyRing([
  { id: 'main', key: MAIN },
  { id: 'other', key: OTHER },
]);

function customer(): CustomerKey {
  const key = randomBytes(32);
  return { key, keyMd5: createHash('md5').update(key).digest('base64') };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => isServiceError(err) && err.code === code);
}

/** Every file of the data dir, blobs and meta.sqlite with its WAL. */
async function allFiles(dir: string): Promise<Buffer> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const contents = await Promise.all(files.filter((f) => f.isFile() && f.name !== 'reserve').map((f) => readFile(join(f.parentPath, f.name))));
  return Buffer.concat(contents);
}

describe('fs store encryption at rest', () => {
  let dir: string;
  let store: FsStore;
  const bucket = 'enc';

  before(async () => {
    dir = await tempDir('sse');
    store = await openFsStore({ dataDir: dir, durable: false, keyRing: ring, reserve: 0 });
    await store.createBucket({ bucket });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('offers all three modes with keys', () => {
    assert.deepEqual([...store.capabilities.encryption], ['AES256', 'aws:kms', 'SSE-C']);
  });

  it('keeps no plaintext on disk, inline or in a blob, and reads it back whole and by range', async () => {
    const marker = Buffer.from('PLAINTEXT-MARKER-0123456789');
    const small = Buffer.concat([marker, randomBytes(100)]);
    const large = Buffer.concat(Array.from({ length: 3000 }, () => marker));
    const s = await store.putObject({ bucket, key: 'small', body: Readable.from([small]), encryption: { mode: 'AES256' } });
    const l = await store.putObject({ bucket, key: 'large', body: Readable.from([large]), encryption: { mode: 'aws:kms', keyId: 'other' } });
    assert.deepEqual(s.encryption, { mode: 'AES256' });
    assert.deepEqual(l.encryption, { mode: 'aws:kms', kmsKeyId: 'other' });
    assert.equal(l.size, large.length);
    assert.notEqual(l.etag, `"${createHash('md5').update(large).digest('hex')}"`, 'the ETag is no fingerprint of the plaintext');
    assert.ok(!(await allFiles(dir)).includes(marker), 'the plaintext is nowhere in the data dir');
    assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'small' })).body), small);
    assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'large' })).body), large);
    const got = await store.getObject({ bucket, key: 'large', range: { start: 12345, end: 40000 } });
    assert.deepEqual(await readAll(got.body), large.subarray(12345, 40001));
    assert.deepEqual(got.meta.encryption, { mode: 'aws:kms', kmsKeyId: 'other' });
    const r = await store.getObject({ bucket, key: 'small', range: { start: 5, end: 20 } });
    assert.deepEqual(await readAll(r.body), small.subarray(5, 21));
    assert.deepEqual((await store.headObject({ bucket, key: 'large' })).encryption, { mode: 'aws:kms', kmsKeyId: 'other' });
  });

  it('checks a Content-MD5 over the plaintext of an encrypted write', async () => {
    const data = randomBytes(50_000);
    const contentMd5 = createHash('md5').update(data).digest('base64');
    await store.putObject({ bucket, key: 'md5', body: Readable.from([data]), contentMd5, encryption: { mode: 'AES256' } });
    await rejects(store.putObject({ bucket, key: 'md5', body: Readable.from([randomBytes(10)]), contentMd5, encryption: { mode: 'AES256' } }), 'BadDigest');
  });

  it('reads ranges across the part boundaries of an encrypted multipart object, and completes with the key', async () => {
    const key = customer();
    const { uploadId, encryption } = await store.createMultipartUpload({ bucket, key: 'mp', encryption: { mode: 'SSE-C', customerKey: key } });
    assert.deepEqual(encryption, { mode: 'SSE-C', customerKeyMd5: key.keyMd5 });
    const parts = [randomBytes(5 * 1024 * 1024 + 3), randomBytes(5 * 1024 * 1024 + 11), randomBytes(1001)];
    const done = [];
    for (const [i, data] of parts.entries()) {
      if (i === 0) await rejects(store.uploadPart({ bucket, key: 'mp', uploadId, partNumber: 1, body: Readable.from([data]) }), 'InvalidRequest');
      const part = await store.uploadPart({ bucket, key: 'mp', uploadId, partNumber: i + 1, body: Readable.from([data]), customerKey: key });
      assert.deepEqual(part.encryption, encryption);
      done.push({ partNumber: i + 1, etag: part.etag });
    }
    await rejects(store.completeMultipartUpload({ bucket, key: 'mp', uploadId, parts: done, customerKey: customer() }), 'InvalidArgument');
    const meta = await store.completeMultipartUpload({ bucket, key: 'mp', uploadId, parts: done, customerKey: key });
    assert.deepEqual(meta.encryption, encryption);
    const whole = Buffer.concat(parts);
    const first = parts[0]?.length ?? 0;
    for (const [start, end] of [[first - 20, first + 20], [first - 1, first], [3, whole.length - 2], [whole.length - 1000, whole.length - 1]] as const) {
      const got = await store.getObject({ bucket, key: 'mp', range: { start, end }, customerKey: key });
      assert.deepEqual(await readAll(got.body), whole.subarray(start, end + 1), `${start}-${end}`);
    }
    const part2 = await store.getObject({ bucket, key: 'mp', partNumber: 2, customerKey: key });
    assert.deepEqual(await readAll(part2.body), parts[1]);
  });

  it('applies the SSE-C key rules to get, head, copy source and part copy source', async () => {
    const key = customer();
    await store.putObject({ bucket, key: 'ssec', body: Readable.from([Buffer.from('secret bytes')]), encryption: { mode: 'SSE-C', customerKey: key } });
    await store.putObject({ bucket, key: 'clear', body: Readable.from([Buffer.from('clear bytes')]) });
    await rejects(store.getObject({ bucket, key: 'ssec' }), 'InvalidRequest');
    await rejects(store.headObject({ bucket, key: 'ssec' }), 'InvalidRequest');
    await rejects(store.getObject({ bucket, key: 'ssec', customerKey: customer() }), 'InvalidArgument');
    await rejects(store.headObject({ bucket, key: 'ssec', customerKey: customer() }), 'InvalidArgument');
    await rejects(store.getObject({ bucket, key: 'clear', customerKey: key }), 'InvalidRequest');
    await rejects(store.copyObject({ bucket, key: 'c', sourceBucket: bucket, sourceKey: 'ssec' }), 'InvalidRequest');
    await rejects(store.copyObject({ bucket, key: 'c', sourceBucket: bucket, sourceKey: 'ssec', sourceCustomerKey: customer() }), 'InvalidArgument');
    await rejects(store.copyObject({ bucket, key: 'c', sourceBucket: bucket, sourceKey: 'clear', sourceCustomerKey: key }), 'InvalidRequest');
    const { uploadId } = await store.createMultipartUpload({ bucket, key: 'pc' });
    const copy = { bucket, key: 'pc', uploadId, partNumber: 1, sourceBucket: bucket, sourceKey: 'ssec' };
    await rejects(store.uploadPartCopy(copy), 'InvalidRequest');
    await rejects(store.uploadPartCopy({ ...copy, sourceCustomerKey: customer() }), 'InvalidArgument');
    const part = await store.uploadPartCopy({ ...copy, sourceCustomerKey: key });
    const meta = await store.completeMultipartUpload({ bucket, key: 'pc', uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
    assert.equal(meta.encryption, undefined);
    assert.equal((await readAll((await store.getObject({ bucket, key: 'pc' })).body)).toString(), 'secret bytes');
    assert.equal((await readAll((await store.getObject({ bucket, key: 'ssec', customerKey: key })).body)).toString(), 'secret bytes');
  });

  it('copies between every pair of modes, giving back the same bytes and the destination encryption', async () => {
    const sourceKey = customer();
    const targetKey = customer();
    const modes: { name: string; request?: EncryptionRequest; read?: CustomerKey; info?: unknown }[] = [
      { name: 'none' },
      { name: 'AES256', request: { mode: 'AES256' }, info: { mode: 'AES256' } },
      { name: 'kms', request: { mode: 'aws:kms', keyId: 'other' }, info: { mode: 'aws:kms', kmsKeyId: 'other' } },
    ];
    const sources = [...modes, { name: 'ssec', request: { mode: 'SSE-C' as const, customerKey: sourceKey }, read: sourceKey }];
    const targets = [...modes, { name: 'ssec', request: { mode: 'SSE-C' as const, customerKey: targetKey }, read: targetKey, info: { mode: 'SSE-C', customerKeyMd5: targetKey.keyMd5 } }];
    for (const size of [1000, 100_000]) {
      const data = randomBytes(size);
      for (const source of sources) {
        await store.putObject({ bucket, key: `src-${source.name}`, body: Readable.from([data]), encryption: source.request });
        for (const target of targets) {
          const key = `copy-${source.name}-${target.name}`;
          const meta = await store.copyObject({ bucket, key, sourceBucket: bucket, sourceKey: `src-${source.name}`, sourceCustomerKey: source.read, encryption: target.request });
          assert.deepEqual(meta.encryption, target.info, key);
          const got = await store.getObject({ bucket, key, customerKey: target.read });
          assert.deepEqual(await readAll(got.body), data, key);
          assert.deepEqual(got.meta.encryption, target.info, key);
        }
      }
    }
  });

  it('applies the bucket default to put, multipart and copy; get/put/delete it', async () => {
    const b = 'defaulted';
    await store.createBucket({ bucket: b });
    await rejects(store.getBucketEncryption({ bucket: b }), 'ServerSideEncryptionConfigurationNotFoundError');
    await rejects(store.putBucketEncryption({ bucket: b, encryption: { mode: 'aws:kms', keyId: 'nope' } }), 'KMS.NotFoundException');
    await store.putBucketEncryption({ bucket: b, encryption: { mode: 'aws:kms', keyId: 'other' } });
    assert.deepEqual(await store.getBucketEncryption({ bucket: b }), { mode: 'aws:kms', keyId: 'other' });
    const want = { mode: 'aws:kms', kmsKeyId: 'other' };
    assert.deepEqual((await store.putObject({ bucket: b, key: 'p', body: Readable.from([Buffer.from('put')]) })).encryption, want);
    assert.deepEqual((await store.createMultipartUpload({ bucket: b, key: 'm' })).encryption, want);
    assert.deepEqual((await store.copyObject({ bucket: b, key: 'c', sourceBucket: bucket, sourceKey: 'clear' })).encryption, want);
    assert.deepEqual((await store.putObject({ bucket: b, key: 'own', body: Readable.from([Buffer.from('x')]), encryption: { mode: 'AES256' } })).encryption, { mode: 'AES256' });
    await store.deleteBucketEncryption({ bucket: b });
    assert.equal((await store.putObject({ bucket: b, key: 'p2', body: Readable.from([Buffer.from('put')]) })).encryption, undefined);
    assert.equal((await readAll((await store.getObject({ bucket: b, key: 'c' })).body)).toString(), 'clear bytes');
  });

  it('refuses an unknown KMS key id', async () => {
    await rejects(store.putObject({ bucket, key: 'k', body: Readable.from([Buffer.from('x')]), encryption: { mode: 'aws:kms', keyId: 'missing' } }), 'KMS.NotFoundException');
    await rejects(store.createMultipartUpload({ bucket, key: 'k', encryption: { mode: 'aws:kms', keyId: 'missing' } }), 'KMS.NotFoundException');
  });

  it('decrypts everything after a restart', async () => {
    const data = randomBytes(200_000);
    const key = customer();
    await store.putObject({ bucket, key: 'kept-kms', body: Readable.from([data]), encryption: { mode: 'aws:kms' } });
    await store.putObject({ bucket, key: 'kept-ssec', body: Readable.from([data.subarray(0, 100)]), encryption: { mode: 'SSE-C', customerKey: key } });
    await store.close();
    store = await openFsStore({ dataDir: dir, durable: false, keyRing: new KeyRing([{ id: 'main', key: MAIN }, { id: 'other', key: OTHER }]), reserve: 0 });
    assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'kept-kms' })).body), data);
    assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'kept-ssec', customerKey: key })).body), data.subarray(0, 100));
    await rejects(store.getObject({ bucket, key: 'mp', customerKey: customer() }), 'InvalidArgument');
  });
});

describe('fs store without keys', () => {
  it('offers SSE-C only and refuses AES256 and aws:kms with NotImplemented', async () => {
    const dir = await tempDir('sse-none');
    const fs = await openFsStore({ dataDir: dir, durable: false, reserve: 0 });
    const store: ObjectStore = checkedStore(fs);
    try {
      assert.deepEqual([...store.capabilities.encryption], ['SSE-C']);
      await store.createBucket({ bucket: 'bbb' });
      await rejects(store.putObject({ bucket: 'bbb', key: 'k', body: Readable.from([Buffer.from('x')]), encryption: { mode: 'AES256' } }), 'NotImplemented');
      await rejects(store.putBucketEncryption({ bucket: 'bbb', encryption: { mode: 'aws:kms' } }), 'NotImplemented');
      const key = customer();
      await store.putObject({ bucket: 'bbb', key: 'k', body: Readable.from([Buffer.from('x')]), encryption: { mode: 'SSE-C', customerKey: key } });
      assert.equal((await readAll((await store.getObject({ bucket: 'bbb', key: 'k', customerKey: key })).body)).toString(), 'x');
    } finally {
      await fs.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('S3GATE_SSE_KEYS', () => {
  it('loads keys, shows only their ids, and refuses a bad one without printing it', () => {
    const good = randomBytes(32).toString('base64');
    const config = loadConfig({ env: { S3GATE_SSE_KEYS: `main:${good},arn:aws:kms:x:${randomBytes(32).toString('base64')}` } });
    assert.deepEqual(config.sse.keys.map((k) => k.id), ['main', 'arn:aws:kms:x']);
    assert.ok(!JSON.stringify(redactedConfig(config)).includes(good));
    const short = randomBytes(16).toString('base64');
    assert.throws(() => loadConfig({ env: { S3GATE_SSE_KEYS: `main:${short}` } }), (err: unknown) => err instanceof ConfigError && err.message.includes('"main"') && !err.message.includes(short));
    assert.throws(() => loadConfig({ env: { S3GATE_SSE_KEYS: good } }), ConfigError);
  });
});
