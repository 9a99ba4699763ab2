/** fs store: a data dir written by schema version 1 (every object in a blob file) opens and migrates. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openFsStore } from '../../src/storage/fs/index.js';
import { readAll } from '../helpers/streams.js';
import { tempDir } from '../helpers/server.js';

const V1_SCHEMA = `
CREATE TABLE buckets (name TEXT NOT NULL PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE objects (
  bucket TEXT NOT NULL, key BLOB NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL, content_type TEXT NOT NULL, cache_control TEXT, content_disposition TEXT,
  content_encoding TEXT, metadata TEXT NOT NULL, PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE INDEX objects_blob ON objects (blob);
PRAGMA user_version = 1;`;

describe('fs store schema migration', () => {
  it('opens a version 1 data dir, keeps its objects, and stores new small objects inline', async () => {
    const dir = await tempDir('migrate');
    const data = Buffer.from('written by schema version 1');
    const blob = 'ab'.padEnd(32, '0');
    await writeFile(join(dir, 'format.json'), JSON.stringify({ format: 's3gate-fs', version: 1 }));
    await mkdir(join(dir, 'blobs', 'ab'), { recursive: true });
    await writeFile(join(dir, 'blobs', 'ab', blob), data);
    const db = new Database(join(dir, 'meta.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec(V1_SCHEMA);
    db.prepare('INSERT INTO buckets VALUES (?, ?)').run('old', Date.now());
    const insert = db.prepare(`INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, '{}')`);
    const md5 = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
    insert.run('old', Buffer.from('kept'), blob, data.length, md5(data), Date.now(), 'text/plain');
    // version 1 kept even empty objects in files
    const emptyBlob = 'ab'.padEnd(32, '1');
    await writeFile(join(dir, 'blobs', 'ab', emptyBlob), '');
    insert.run('old', Buffer.from('empty'), emptyBlob, 0, md5(Buffer.alloc(0)), Date.now(), 'text/plain');
    db.close();

    const store = await openFsStore({ dataDir: dir, durable: false });
    try {
      await store.recovered;
      const got = await store.getObject({ bucket: 'old', key: 'kept' });
      assert.deepEqual(await readAll(got.body), data);
      assert.equal(got.meta.contentType, 'text/plain');
      assert.equal((await readAll((await store.getObject({ bucket: 'old', key: 'empty' })).body)).length, 0);
      await store.putObject({ bucket: 'old', key: 'small', body: Readable.from([Buffer.from('new')]) });
      assert.equal((await readAll((await store.getObject({ bucket: 'old', key: 'small' })).body)).toString(), 'new');
      assert.deepEqual((await store.listObjects({ bucket: 'old' })).objects.map((o) => o.key), ['empty', 'kept', 'small']);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
