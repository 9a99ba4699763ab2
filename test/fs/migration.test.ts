/**
 * fs store: data dirs written by schema versions 1 (every object in a blob file), 2 (inline objects), 3
 * (multipart, no bucket settings) and 4 (no encryption at rest) open and migrate.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/storage/fs/db.js';
import { KeyRing } from '../../src/storage/encryption/index.js';
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

const V2_SCHEMA = `
CREATE TABLE buckets (name TEXT NOT NULL PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE objects (
  bucket TEXT NOT NULL, key BLOB NOT NULL, blob TEXT, inline_id INTEGER, size INTEGER NOT NULL, etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL, content_type TEXT NOT NULL, cache_control TEXT, content_disposition TEXT,
  content_encoding TEXT, metadata TEXT NOT NULL, PRIMARY KEY (bucket, key),
  CHECK ((blob IS NULL) <> (inline_id IS NULL))
) WITHOUT ROWID;
CREATE INDEX objects_blob ON objects (blob);
CREATE TABLE inline_data (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
PRAGMA user_version = 2;`;

/** What version 5 added to version 4. */
const DROP_ENCRYPTION = `ALTER TABLE objects DROP COLUMN encryption; ALTER TABLE uploads DROP COLUMN encryption;
  ALTER TABLE buckets DROP COLUMN encryption;`;

/** Opens the migrated data dir and reads back the object "kept", which must hold `data`. */
async function reopened(dir: string, data: Buffer) {
  const store = await openFsStore({ dataDir: dir, durable: false });
  await store.recovered;
  const got = await store.getObject({ bucket: 'old', key: 'kept' });
  assert.deepEqual(await readAll(got.body), data);
  return { store, got };
}

describe('fs store schema migration', () => {
  it('opens a version 4 data dir in place as version 5: objects and uploads kept, then encrypted writes work', async () => {
    const dir = await tempDir('migrate-v4');
    const data = Buffer.from('written under version 4');
    const before = await openFsStore({ dataDir: dir, durable: false });
    await before.createBucket({ bucket: 'old' });
    await before.putObject({ bucket: 'old', key: 'kept', body: Readable.from([data]) });
    const { uploadId } = await before.createMultipartUpload({ bucket: 'old', key: 'pending' });
    await before.close();
    const db = new Database(join(dir, 'meta.sqlite'));
    db.exec(`${DROP_ENCRYPTION} PRAGMA user_version = 4;`);
    db.close();

    const keyRing = new KeyRing([{ id: 'k1', key: randomBytes(32) }]);
    const store = await openFsStore({ dataDir: dir, durable: false, keyRing });
    try {
      const got = await store.getObject({ bucket: 'old', key: 'kept' });
      assert.deepEqual(await readAll(got.body), data);
      assert.equal(got.meta.encryption, undefined);
      assert.deepEqual((await store.listMultipartUploads({ bucket: 'old' })).uploads.map((u) => u.uploadId), [uploadId]);
      await store.putBucketEncryption({ bucket: 'old', encryption: { mode: 'AES256' } });
      const put = await store.putObject({ bucket: 'old', key: 'new', body: Readable.from([data]) });
      assert.deepEqual(put.encryption, { mode: 'AES256' });
      assert.deepEqual(await readAll((await store.getObject({ bucket: 'old', key: 'new' })).body), data);
    } finally {
      await store.close();
    }
    const migrated = new Database(join(dir, 'meta.sqlite'), { readonly: true });
    assert.equal(migrated.pragma('user_version', { simple: true }), 5);
    migrated.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a version 3 data dir in place as the current version: objects and uploads kept, bucket settings work', async () => {
    const dir = await tempDir('migrate-v3');
    const data = Buffer.from('written under version 3');
    const before = await openFsStore({ dataDir: dir, durable: false });
    await before.createBucket({ bucket: 'old' });
    await before.putObject({ bucket: 'old', key: 'kept', body: Readable.from([data]), tags: { t: 'v' } });
    const { uploadId } = await before.createMultipartUpload({ bucket: 'old', key: 'pending' });
    await before.close();
    // version 3 is version 5 without the buckets' settings columns and the encryption columns
    const db = new Database(join(dir, 'meta.sqlite'));
    db.exec(`${DROP_ENCRYPTION} ALTER TABLE buckets DROP COLUMN cors; ALTER TABLE buckets DROP COLUMN tags; PRAGMA user_version = 3;`);
    db.close();

    const { store } = await reopened(dir, data);
    try {
      assert.deepEqual(await store.getObjectTagging({ bucket: 'old', key: 'kept' }), { t: 'v' });
      assert.deepEqual((await store.listMultipartUploads({ bucket: 'old' })).uploads.map((u) => u.uploadId), [uploadId]);
      await assert.rejects(store.getBucketCors({ bucket: 'old' }), { code: 'NoSuchCORSConfiguration' });
      await assert.rejects(store.getBucketTagging({ bucket: 'old' }), { code: 'NoSuchTagSet' });
      const rules = [{ allowedOrigins: ['*'], allowedMethods: ['GET' as const], allowedHeaders: [], exposeHeaders: [] }];
      await store.putBucketCors({ bucket: 'old', rules });
      await store.putBucketTagging({ bucket: 'old', tags: { team: 'a' } });
    } finally {
      await store.close();
    }
    // durable across a restart, and the version is written
    const again = await openFsStore({ dataDir: dir, durable: false });
    try {
      assert.deepEqual((await again.getBucketCors({ bucket: 'old' })).map((r) => r.allowedOrigins), [['*']]);
      assert.deepEqual(await again.getBucketTagging({ bucket: 'old' }), { team: 'a' });
    } finally {
      await again.close();
    }
    const migrated = new Database(join(dir, 'meta.sqlite'), { readonly: true });
    assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    migrated.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a version 2 data dir in place as the current version: inline objects kept, tags, uploads and bucket settings work', async () => {
    const dir = await tempDir('migrate-v2');
    await writeFile(join(dir, 'format.json'), JSON.stringify({ format: 's3gate-fs', version: 1 }));
    const db = new Database(join(dir, 'meta.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec(V2_SCHEMA);
    db.prepare('INSERT INTO buckets VALUES (?, ?)').run('old', Date.now());
    const data = Buffer.from('inline in version 2');
    const id = db.prepare('INSERT INTO inline_data (data) VALUES (?)').run(data).lastInsertRowid;
    db.prepare(`INSERT INTO objects VALUES ('old', ?, NULL, ?, ?, '"x"', ?, 'text/plain', NULL, NULL, NULL, '{"a":"1"}')`).run(
      Buffer.from('kept'),
      id,
      data.length,
      Date.now(),
    );
    db.close();

    const { store, got } = await reopened(dir, data);
    try {
      assert.deepEqual(got.meta.metadata, { a: '1' });
      assert.deepEqual(await store.getObjectTagging({ bucket: 'old', key: 'kept' }), {});
      await store.putObjectTagging({ bucket: 'old', key: 'kept', tags: { t: 'v' } });
      assert.deepEqual(await store.getObjectTagging({ bucket: 'old', key: 'kept' }), { t: 'v' });
      const { uploadId } = await store.createMultipartUpload({ bucket: 'old', key: 'new' });
      const part = await store.uploadPart({ bucket: 'old', key: 'new', uploadId, partNumber: 1, body: Readable.from([Buffer.from('mp')]) });
      await store.completeMultipartUpload({ bucket: 'old', key: 'new', uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
      assert.equal((await readAll((await store.getObject({ bucket: 'old', key: 'new' })).body)).toString(), 'mp');
      await store.putBucketTagging({ bucket: 'old', tags: { from: 'v2' } });
      assert.deepEqual(await store.getBucketTagging({ bucket: 'old' }), { from: 'v2' });
    } finally {
      await store.close();
    }
    const migrated = new Database(join(dir, 'meta.sqlite'), { readonly: true });
    assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    migrated.close();
    await rm(dir, { recursive: true, force: true });
  });

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

    const { store, got } = await reopened(dir, data);
    try {
      assert.equal(got.meta.contentType, 'text/plain');
      assert.equal((await readAll((await store.getObject({ bucket: 'old', key: 'empty' })).body)).length, 0);
      await store.putObject({ bucket: 'old', key: 'small', body: Readable.from([Buffer.from('new')]) });
      assert.equal((await readAll((await store.getObject({ bucket: 'old', key: 'small' })).body)).toString(), 'new');
      assert.deepEqual((await store.listObjects({ bucket: 'old' })).objects.map((o) => o.key), ['empty', 'kept', 'small']);
      await assert.rejects(store.getBucketCors({ bucket: 'old' }), { code: 'NoSuchCORSConfiguration' });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
