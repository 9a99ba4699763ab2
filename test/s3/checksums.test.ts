/**
 * Checksums and the s3 store: what Ceph RGW 16 does with x-amz-checksum-* (nothing: it neither checks nor
 * keeps them, measured here so an upgrade shows), the store's refusal of algorithms outside its
 * `checksums` setting, and that setting read from S3GATE_S3_CHECKSUMS.
 */
import assert from 'node:assert/strict';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, it } from '../helpers/suites.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { CHECKSUM_ALGORITHMS } from '../../src/storage/types.js';
import { rejectsWith, rgwFixture, skipUnlessS3, streamOf } from './rgw-fixture.js';

describe('s3 store checksum setting', () => {
  it('defaults to all five algorithms, as AWS keeps them, and reads a comma list or none', () => {
    assert.deepEqual(loadConfig({ env: {} }).s3.checksums, [...CHECKSUM_ALGORITHMS]);
    assert.deepEqual(loadConfig({ env: { S3GATE_S3_CHECKSUMS: 'CRC32C, SHA256' } }).s3.checksums, ['CRC32C', 'SHA256']);
    assert.deepEqual(loadConfig({ env: { S3GATE_S3_CHECKSUMS: 'none' } }).s3.checksums, []);
    assert.throws(() => loadConfig({ env: { S3GATE_S3_CHECKSUMS: 'MD5' } }), ConfigError);
  });

  it('bounds the multipart copy settings', () => {
    assert.equal(loadConfig({ env: { S3GATE_S3_COPY_THRESHOLD: '12MiB' } }).s3.copyThreshold, 12 * 1024 * 1024);
    assert.throws(() => loadConfig({ env: { S3GATE_S3_COPY_THRESHOLD: '6GiB' } }), ConfigError);
    assert.throws(() => loadConfig({ env: { S3GATE_S3_COPY_PART_SIZE: '1MiB' } }), ConfigError);
  });
});

describe('s3 store checksums on RGW', skipUnlessS3, () => {
  const rgw = rgwFixture({ checksums: [] });
  const { bucket } = rgw;
  const data = Buffer.from('bytes with a checksum');
  const sha256 = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='; // not the digest of `data`

  it('RGW 16 takes a wrong x-amz-checksum-* and keeps none: no algorithm may be declared for it', async () => {
    const client = rgw.client();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'raw', Body: data, ChecksumSHA256: sha256 }));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'raw', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, undefined);
  });

  it('refuses every write naming a checksum with NotImplemented, storing nothing', async () => {
    const store = rgw.store();
    assert.deepEqual(store.capabilities.checksums, []);
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const key = `refused-${algorithm}`;
      await rejectsWith(store.putObject({ bucket, key, body: streamOf(data), checksumAlgorithm: algorithm }), 'NotImplemented');
      await rejectsWith(store.createMultipartUpload({ bucket, key, checksumAlgorithm: algorithm }), 'NotImplemented');
      await rejectsWith(store.headObject({ bucket, key }), 'NoSuchKey');
    }
    await rejectsWith(store.putObject({ bucket, key: 'refused', body: streamOf(data), checksums: { SHA256: sha256 } }), 'NotImplemented');
    const { uploadId } = await store.createMultipartUpload({ bucket, key: 'refused' });
    await rejectsWith(
      store.uploadPart({ bucket, key: 'refused', uploadId, partNumber: 1, body: streamOf(data), checksums: { CRC32: 'AAAAAA==' } }),
      'NotImplemented',
    );
    assert.deepEqual((await store.listParts({ bucket, key: 'refused', uploadId })).parts, []);
    await store.putObject({ bucket, key: 'plain', body: streamOf(data) });
    await rejectsWith(store.copyObject({ sourceBucket: bucket, sourceKey: 'plain', bucket, key: 'refused', checksumAlgorithm: 'CRC32' }), 'NotImplemented');
    await rejectsWith(store.headObject({ bucket, key: 'refused' }), 'NoSuchKey');
    assert.equal((await store.headObject({ bucket, key: 'plain' })).checksums, undefined);
  });
});

describe('s3 store declaring checksums', skipUnlessS3, () => {
  const rgw = rgwFixture({ checksums: ['SHA256'], partSize: 5 * 1024 * 1024 });
  const { bucket } = rgw;

  it('takes a checksum value only where the backend can keep it for the whole object (one PutObject)', async () => {
    const store = rgw.store();
    assert.deepEqual(store.capabilities.checksums, ['SHA256']);
    const body = () => streamOf(Buffer.from('x'));
    const value = 'LWM3vhLbpS8bkoAvLFPTrzqoc0IS6GU5wXqlqYq+tWo='; // SHA-256 of "x"
    await rejectsWith(store.putObject({ bucket, key: 'unknown-length', body: body(), checksums: { SHA256: value } }), 'NotImplemented');
    await rejectsWith(store.putObject({ bucket, key: 'crc', body: body(), contentLength: 1, checksums: { CRC32: 'AAAAAA==' } }), 'NotImplemented');
    const meta = await store.putObject({ bucket, key: 'one-put', body: body(), contentLength: 1, checksums: { SHA256: value } });
    assert.equal(meta.checksums?.SHA256, value);
  });
});
