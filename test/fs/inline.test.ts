/**
 * fs-specific: objects up to INLINE_MAX live in meta.sqlite, larger ones in blob files. Both kinds, and the
 * sizes at the boundary, with and without an announced length, read back whole and in ranges, and copy.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openFsStore } from '../../src/storage/fs/index.js';
import { INLINE_MAX } from '../../src/storage/fs/inline.js';
import type { GetObjectResult, ObjectStore } from '../../src/storage/types.js';
import { readAll } from '../helpers/streams.js';
import { tempDir } from '../helpers/server.js';

/** The body in chunks of 10,000 bytes, so the inline limit falls inside a chunk. */
const chunked = (data: Buffer) =>
  Readable.from(Array.from({ length: Math.ceil(data.length / 10_000) }, (_, i) => data.subarray(i * 10_000, (i + 1) * 10_000)));

async function blobFileCount(dir: string): Promise<number> {
  let count = 0;
  for (const shard of await readdir(join(dir, 'blobs'))) count += (await readdir(join(dir, 'blobs', shard))).length;
  return count;
}

/** The body read whole; an inline object also comes as `bytes` (what the HTTP faces send), equal to it. */
async function served(got: GetObjectResult, inline: boolean): Promise<Buffer> {
  const streamed = await readAll(got.body);
  assert.equal(got.bytes !== undefined, inline, inline ? 'inline bytes are served from memory' : 'blob files are streamed');
  if (got.bytes) assert.ok(got.bytes.equals(streamed));
  return streamed;
}

describe('fs store: inline and blob-file objects', () => {
  let dir: string;
  let store: ObjectStore;
  before(async () => {
    dir = await tempDir('inline');
    store = await openFsStore({ dataDir: dir, durable: false });
    await store.createBucket({ bucket: 'bkt' });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const size of [0, 1, INLINE_MAX - 1, INLINE_MAX, INLINE_MAX + 1, 3 * INLINE_MAX + 7]) {
    for (const announced of [true, false]) {
      it(`stores ${size} bytes (${announced ? 'length announced' : 'length unknown'}) and reads them back, whole and in ranges`, async () => {
        const data = randomBytes(size);
        const key = `obj-${size}-${announced}`;
        const inline = size <= INLINE_MAX;
        const filesBefore = await blobFileCount(dir);
        await store.putObject({ bucket: 'bkt', key, body: chunked(data), contentLength: announced ? size : undefined });
        assert.equal(await blobFileCount(dir), filesBefore + (inline ? 0 : 1), 'a blob file only above the limit');
        assert.ok((await served(await store.getObject({ bucket: 'bkt', key }), inline)).equals(data));
        if (size > 2) {
          const got = await store.getObject({ bucket: 'bkt', key, range: { start: 1, end: size - 2 } });
          assert.ok((await served(got, inline)).equals(data.subarray(1, size - 1)));
          const tail = await store.getObject({ bucket: 'bkt', key, range: { start: size - 1 } });
          assert.ok((await served(tail, inline)).equals(data.subarray(size - 1)));
        }
        await store.copyObject({ sourceBucket: 'bkt', sourceKey: key, bucket: 'bkt', key: `${key}-copy` });
        assert.ok((await served(await store.getObject({ bucket: 'bkt', key: `${key}-copy` }), inline)).equals(data));
      });
    }
  }

  it('frees inline bytes and blob files when objects are replaced or deleted', async () => {
    const files = await blobFileCount(dir);
    await store.putObject({ bucket: 'bkt', key: 'swap', body: chunked(randomBytes(INLINE_MAX + 100)) });
    assert.equal(await blobFileCount(dir), files + 1);
    await store.putObject({ bucket: 'bkt', key: 'swap', body: chunked(randomBytes(100)) });
    await store.putObject({ bucket: 'bkt', key: 'swap', body: chunked(randomBytes(200)) });
    assert.equal(await store.deleteObject({ bucket: 'bkt', key: 'swap' }), true);
    // the replaced blob file is unlinked after its commit
    for (let i = 0; i < 100 && (await blobFileCount(dir)) !== files; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await blobFileCount(dir), files);
    // no inline bytes outlive their row
    await store.close();
    const db = new Database(join(dir, 'meta.sqlite'), { readonly: true });
    const orphans = db.prepare('SELECT count(*) FROM inline_data WHERE id NOT IN (SELECT inline_id FROM objects WHERE inline_id IS NOT NULL)').pluck().get();
    const inlineRows = db.prepare('SELECT count(*) FROM objects WHERE inline_id IS NOT NULL').pluck().get();
    db.close();
    assert.equal(orphans, 0);
    assert.ok(Number(inlineRows) > 0);
    store = await openFsStore({ dataDir: dir, durable: false });
  });
});
