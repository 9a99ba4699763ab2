/**
 * fs-store-specific multipart behaviour: completion moves the part files into the object (no copy), every
 * blob file no row names any more is removed (replaced parts, parts left out, aborted uploads, replaced or
 * deleted multipart objects, failed digests), reads of a multipart object survive its deletion, the start-up
 * sweep keeps part files, abandoned uploads expire, and uploads of one key list in initiation order.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { loadConfig } from '../../src/config/load.js';
import { isServiceError } from '../../src/errors/codes.js';
import { openFsStore, type FsStore } from '../../src/storage/fs/index.js';
import { MIN_PART_SIZE, type CompletedPart } from '../../src/storage/types.js';
import { tempDir } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { until } from '../helpers/until.js';

const body = (data: string | Buffer) => Readable.from([Buffer.from(data)]);
const crc32 = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data));
  return out.toString('base64');
};

/** The blob files on disk, by name. */
async function blobFiles(dataDir: string): Promise<Set<string>> {
  const root = join(dataDir, 'blobs');
  const names = new Set<string>();
  for (const shard of await readdir(root)) for (const name of await readdir(join(root, shard))) names.add(name);
  return names;
}

function noSuch(code: string) {
  return (err: unknown) => isServiceError(err) && err.code === code;
}

describe('fs store multipart uploads', () => {
  let dataDir: string;
  let store: FsStore;
  const bucket = 'mp';

  before(async () => {
    dataDir = await tempDir('fs-multipart');
    store = await openFsStore({ dataDir, durable: false });
    await store.createBucket({ bucket });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function upload(key: string, parts: Buffer[]): Promise<{ uploadId: string; done: CompletedPart[] }> {
    const { uploadId } = await store.createMultipartUpload({ bucket, key });
    const done: CompletedPart[] = [];
    for (const [i, data] of parts.entries()) {
      const part = await store.uploadPart({ bucket, key, uploadId, partNumber: i + 1, body: body(data) });
      done.push({ partNumber: i + 1, etag: part.etag });
    }
    return { uploadId, done };
  }

  it('completes by moving the part files into the object, and removes the parts left out', async () => {
    const before = await blobFiles(dataDir);
    const parts = [randomBytes(MIN_PART_SIZE), randomBytes(MIN_PART_SIZE), Buffer.from('left out')];
    const { uploadId, done } = await upload('moved', parts);
    const partFiles = [...(await blobFiles(dataDir))].filter((name) => !before.has(name));
    assert.equal(partFiles.length, 3, 'one file per part');
    await store.completeMultipartUpload({ bucket, key: 'moved', uploadId, parts: done.slice(0, 2) });
    await until('the part left out is unlinked', async () => (await blobFiles(dataDir)).size === before.size + 2);
    const after = await blobFiles(dataDir);
    assert.equal(partFiles.filter((name) => after.has(name)).length, 2, 'the object is made of the part files themselves');
    assert.deepEqual(await readAll((await store.getObject({ bucket, key: 'moved' })).body), Buffer.concat(parts.slice(0, 2)));

    // replacing the object removes every one of its part files
    await store.putObject({ bucket, key: 'moved', body: body('small now') });
    await until('the replaced parts are unlinked', async () => (await blobFiles(dataDir)).size === before.size);
  });

  it('removes a replaced part, an aborted upload and a deleted multipart object from disk', async () => {
    const before = await blobFiles(dataDir);
    const { uploadId } = await upload('again', [Buffer.from('one')]);
    await store.uploadPart({ bucket, key: 'again', uploadId, partNumber: 1, body: body('two') });
    await until('the replaced part is unlinked', async () => (await blobFiles(dataDir)).size === before.size + 1);
    await store.abortMultipartUpload({ bucket, key: 'again', uploadId });
    await until('the aborted parts are unlinked', async () => (await blobFiles(dataDir)).size === before.size);

    const made = await upload('deleted', [randomBytes(MIN_PART_SIZE), Buffer.from('end')]);
    await store.completeMultipartUpload({ bucket, key: 'deleted', uploadId: made.uploadId, parts: made.done });
    const copy = await store.copyObject({ sourceBucket: bucket, sourceKey: 'deleted', bucket, key: 'deleted-copy' });
    assert.equal(copy.partsCount, 2, 'a copy keeps the parts');
    assert.equal((await blobFiles(dataDir)).size, before.size + 4);
    await store.deleteObject({ bucket, key: 'deleted' });
    await store.deleteObject({ bucket, key: 'deleted-copy' });
    await until('the parts of both are unlinked', async () => (await blobFiles(dataDir)).size === before.size);
  });

  it('leaves no file behind when a part or a put fails its checksum', async () => {
    const before = await blobFiles(dataDir);
    const { uploadId } = await store.createMultipartUpload({ bucket, key: 'summed', checksumAlgorithm: 'CRC32' });
    const big = randomBytes(100 * 1024);
    await assert.rejects(
      store.uploadPart({ bucket, key: 'summed', uploadId, partNumber: 1, body: body(big), checksums: { CRC32: crc32(Buffer.from('x')) } }),
      noSuch('BadDigest'),
    );
    await assert.rejects(store.putObject({ bucket, key: 'bad', body: body(big), checksums: { SHA256: createHash('sha256').update('x').digest('base64') } }), noSuch('BadDigest'));
    assert.deepEqual(await blobFiles(dataDir), before);
    // a part without a value gets the upload's checksum computed
    const part = await store.uploadPart({ bucket, key: 'summed', uploadId, partNumber: 1, body: body(big) });
    assert.equal(part.checksums?.CRC32, crc32(big));
    await store.abortMultipartUpload({ bucket, key: 'summed', uploadId });
  });

  it('serves a reader the whole multipart object while it is deleted', async () => {
    const parts = [randomBytes(MIN_PART_SIZE), randomBytes(3 * 1024 * 1024)];
    const { uploadId, done } = await upload('read-while-deleted', parts);
    await store.completeMultipartUpload({ bucket, key: 'read-while-deleted', uploadId, parts: done });
    const got = await store.getObject({ bucket, key: 'read-while-deleted' });
    await store.deleteObject({ bucket, key: 'read-while-deleted' });
    assert.deepEqual(await readAll(got.body), Buffer.concat(parts));
  });

  it('lists the uploads of one key in the order they were made', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.createMultipartUpload({ bucket, key: 'same' })).uploadId);
    const listed = await store.listMultipartUploads({ bucket, prefix: 'same' });
    assert.deepEqual(
      listed.uploads.map((u) => u.uploadId),
      ids,
    );
    for (const uploadId of ids) await store.abortMultipartUpload({ bucket, key: 'same', uploadId });
  });
});

describe('fs store uploads across restarts', () => {
  it('keeps the part files of uploads and objects in the start-up sweep, and expires abandoned uploads', async () => {
    const dataDir = await tempDir('fs-multipart-restart');
    try {
      let store = await openFsStore({ dataDir, durable: false, uploadExpiryMs: 0 });
      await store.createBucket({ bucket: 'b' });
      const first = randomBytes(MIN_PART_SIZE);
      const open = await store.createMultipartUpload({ bucket: 'b', key: 'open' });
      await store.uploadPart({ bucket: 'b', key: 'open', uploadId: open.uploadId, partNumber: 1, body: body(first) });
      const done = await store.createMultipartUpload({ bucket: 'b', key: 'done' });
      const p1 = await store.uploadPart({ bucket: 'b', key: 'done', uploadId: done.uploadId, partNumber: 1, body: body(first) });
      const p2 = await store.uploadPart({ bucket: 'b', key: 'done', uploadId: done.uploadId, partNumber: 2, body: body('end') });
      await store.completeMultipartUpload({
        bucket: 'b',
        key: 'done',
        uploadId: done.uploadId,
        parts: [
          { partNumber: 1, etag: p1.etag },
          { partNumber: 2, etag: p2.etag },
        ],
      });
      await store.close();
      await writeFile(join(dataDir, 'blobs', 'ab', 'ab'.padEnd(32, '9')), 'orphan');

      store = await openFsStore({ dataDir, durable: false, uploadExpiryMs: 0 });
      assert.deepEqual(await store.recovered, { removed: 1 });
      assert.equal((await store.listParts({ bucket: 'b', key: 'open', uploadId: open.uploadId })).parts.length, 1);
      assert.deepEqual(await readAll((await store.getObject({ bucket: 'b', key: 'done' })).body), Buffer.concat([first, Buffer.from('end')]));
      await store.close();

      // abandoned meanwhile: aborted at open
      store = await openFsStore({ dataDir, durable: false, uploadExpiryMs: 1 });
      try {
        await until('the abandoned upload is aborted', async () => (await store.listMultipartUploads({ bucket: 'b' })).uploads.length === 0);
        await assert.rejects(store.listParts({ bucket: 'b', key: 'open', uploadId: open.uploadId }), noSuch('NoSuchUpload'));
        await until('its part file is unlinked', async () => (await blobFiles(dataDir)).size === 2);
        // and by the timer, for one abandoned while the store runs
        const late = await store.createMultipartUpload({ bucket: 'b', key: 'late' });
        await until('the timer aborts it', async () => {
          const { uploads } = await store.listMultipartUploads({ bucket: 'b' });
          return !uploads.some((u) => u.uploadId === late.uploadId);
        });
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps abandoned uploads for S3GATE_FS_UPLOAD_EXPIRY_MS, a week by default', () => {
    assert.equal(loadConfig({ env: {} }).fs.uploadExpiryMs, 7 * 86_400_000);
    assert.equal(loadConfig({ env: { S3GATE_FS_UPLOAD_EXPIRY_MS: '3600000' } }).fs.uploadExpiryMs, 3_600_000);
    assert.throws(() => loadConfig({ env: { S3GATE_FS_UPLOAD_EXPIRY_MS: 'soon' } }));
  });
});
