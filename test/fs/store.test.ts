/** fs-store-specific behaviour: data-dir format, the lock, confinement to the data dir, recovery, readers. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isServiceError } from '../../src/errors/codes.js';
import { BlobFiles } from '../../src/storage/fs/blobs.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { INLINE_MAX } from '../../src/storage/fs/inline.js';
import { readAll } from '../helpers/streams.js';

const body = (data: string | Buffer) => Readable.from([Buffer.from(data)]);
const INDEX = new URL('../../src/storage/fs/index.js', import.meta.url).href;

let root: string;
let n = 0;
const freshDir = () => join(root, `d${++n}`);

/** Every path below `dir`, relative to it, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((e) => relative(dir, join(dir, e))).sort();
}

function unavailable(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(isServiceError(err), String(err));
    assert.equal(err.code, 'ServiceUnavailable');
    assert.match(err.message, pattern);
    return true;
  };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 's3gate-fs-store-'));
});
after(() => rm(root, { recursive: true, force: true }));

describe('fs store data dir', () => {
  it('writes format.json, meta.sqlite and 256 blob shards in a new folder', async () => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    await store.close();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'format.json'), 'utf8')), { format: 's3gate-fs', version: 1 });
    // and the reserve, written in the background (space.test.ts)
    assert.deepEqual((await readdir(dir)).filter((e) => e !== 'reserve').sort(), ['blobs', 'format.json', 'meta.sqlite']);
    const shards = await readdir(join(dir, 'blobs'));
    assert.equal(shards.length, 256);
    assert.ok(shards.includes('00') && shards.includes('ff'));
  });

  it('refuses an unknown format version, another format, and a foreign non-empty folder', async () => {
    const v2 = freshDir();
    await mkdir(v2);
    await writeFile(join(v2, 'format.json'), JSON.stringify({ format: 's3gate-fs', version: 2 }));
    await assert.rejects(openFsStore({ dataDir: v2 }), unavailable(/format version is 2; this build reads version 1 only/));
    assert.deepEqual(await readdir(v2), ['format.json'], 'nothing written');

    const other = freshDir();
    await mkdir(other);
    await writeFile(join(other, 'format.json'), JSON.stringify({ format: 'something-else', version: 1 }));
    await assert.rejects(openFsStore({ dataDir: other }), unavailable(/something-else/));

    const foreign = freshDir();
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await assert.rejects(openFsStore({ dataDir: foreign }), unavailable(/no format\.json and is not empty/));
    assert.deepEqual(await readdir(foreign), ['notes.txt'], 'nothing written');
  });

  it('lets one store at a time use a data dir, in this process or another', async () => {
    const dir = freshDir();
    const first = await openFsStore({ dataDir: dir });
    await assert.rejects(openFsStore({ dataDir: dir }), unavailable(/in use by another s3gate store/));
    const script = `import { openFsStore } from ${JSON.stringify(INDEX)};
      openFsStore({ dataDir: ${JSON.stringify(dir)} }).then(
        () => console.log('opened'), (e) => console.log(e.code + ': ' + e.message));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    assert.match(stdout, /^ServiceUnavailable: The data dir .* is in use by another s3gate store/);
    await first.close();
    const second = await openFsStore({ dataDir: dir });
    await second.close();
  });

  it('writes nothing outside the data dir, whatever the keys', async () => {
    const parent = freshDir();
    const dir = join(parent, 'inner', 'data');
    await mkdir(join(parent, 'inner'), { recursive: true });
    await writeFile(join(parent, 'inner', 'neighbour'), 'x');
    const store = await openFsStore({ dataDir: dir });
    const beforeOutside = (await tree(parent)).filter((p) => !p.startsWith('inner/data'));
    await store.createBucket({ bucket: 'bkt' });
    const keys = ['../x', '../../x', '../../../../../../tmp/x', '/abs/x', 'a/../../../y', '..', '.', 'blobs/00', 'meta.sqlite'];
    for (const key of keys) await store.putObject({ bucket: 'bkt', key, body: body(key) });
    for (const key of keys) {
      assert.equal((await readAll((await store.getObject({ bucket: 'bkt', key })).body)).toString(), key);
    }
    await store.copyObject({ sourceBucket: 'bkt', sourceKey: '../x', bucket: 'bkt', key: '../../copy' });
    await store.deleteObject({ bucket: 'bkt', key: '../../x' });
    const inside = await readdir(dir);
    await store.close();
    assert.deepEqual((await tree(parent)).filter((p) => !p.startsWith('inner/data')), beforeOutside);
    assert.deepEqual(inside.filter((e) => !e.startsWith('meta.sqlite') && e !== 'reserve').sort(), ['blobs', 'format.json']);
    for (const shard of await readdir(join(dir, 'blobs'))) {
      assert.match(shard, /^[0-9a-f]{2}$/);
      for (const file of await readdir(join(dir, 'blobs', shard))) assert.match(file, new RegExp(`^${shard}[0-9a-f]{30}$`));
    }
  });

  it('removes orphan blob files on start-up and keeps real objects', async () => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    await store.createBucket({ bucket: 'bkt' });
    await store.putObject({ bucket: 'bkt', key: 'keep/1', body: body('one') });
    await store.putObject({ bucket: 'bkt', key: 'keep/2', body: body('two') });
    await store.close();
    const strays = [join(dir, 'blobs', 'ab', 'ab' + '0'.repeat(30)), join(dir, 'blobs', '00', 'partial.tmp')];
    for (const stray of strays) await writeFile(stray, 'left by a crash');
    const reopened = await openFsStore({ dataDir: dir });
    assert.deepEqual(await reopened.recovered, { removed: 2 });
    for (const stray of strays) await assert.rejects(readFile(stray), { code: 'ENOENT' });
    assert.equal((await readAll((await reopened.getObject({ bucket: 'bkt', key: 'keep/1' })).body)).toString(), 'one');
    assert.equal((await readAll((await reopened.getObject({ bucket: 'bkt', key: 'keep/2' })).body)).toString(), 'two');
    await reopened.close();
  });
});

describe('fs store behaviour', () => {
  it('serves a reader the whole old version while the object is replaced and deleted', async () => {
    const store = await openFsStore({ dataDir: freshDir(), durable: false });
    await store.createBucket({ bucket: 'bkt' });
    const old = Buffer.alloc(5 * 1024 * 1024, 'o');
    await store.putObject({ bucket: 'bkt', key: 'k', body: body(old) });
    const reading = await store.getObject({ bucket: 'bkt', key: 'k' });
    await store.putObject({ bucket: 'bkt', key: 'k', body: body('new') });
    await store.deleteObject({ bucket: 'bkt', key: 'k' });
    assert.ok((await readAll(reading.body)).equals(old));
    await store.close();
  });

  it('never fails or tears a read while the key is overwritten over and over', async () => {
    const store = await openFsStore({ dataDir: freshDir(), durable: false });
    await store.createBucket({ bucket: 'bkt' });
    const versions = Array.from({ length: 6 }, (_, i) => Buffer.alloc(64 * 1024 + i, 97 + i));
    await store.putObject({ bucket: 'bkt', key: 'hot', body: body(versions[0] as Buffer) });
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        await store.putObject({ bucket: 'bkt', key: 'hot', body: body(versions[i % versions.length] as Buffer) });
      }
    })();
    const readers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 150; i++) {
        const got = await readAll((await store.getObject({ bucket: 'bkt', key: 'hot' })).body);
        assert.ok(versions.some((v) => v.equals(got)), 'a whole version');
      }
    });
    await Promise.all(readers).finally(() => (stop = true));
    await writer;
    await store.close();
  });

  it('retries a read whose blob was replaced between reading the row and opening the file', async (t) => {
    const store = await openFsStore({ dataDir: freshDir(), durable: false });
    await store.createBucket({ bucket: 'bkt' });
    // larger than INLINE_MAX, so that the bytes live in blob files
    const version = (name: string) => body(name.padEnd(INLINE_MAX + 1, '.'));
    await store.putObject({ bucket: 'bkt', key: 'k', body: version('old') });
    const openRead = BlobFiles.prototype.openRead;
    const opened: string[] = [];
    // Just before the first open, replace the object and wait until its old blob is unlinked.
    t.mock.method(BlobFiles.prototype, 'openRead', async function (this: BlobFiles, id: string) {
      if (opened.push(id) === 1) {
        await store.putObject({ bucket: 'bkt', key: 'k', body: version('new') });
        while (existsSync(this.pathOf(id))) await nextTurn();
      }
      return openRead.call(this, id);
    });
    const got = await store.getObject({ bucket: 'bkt', key: 'k' });
    assert.equal((await readAll(got.body)).toString(), 'new'.padEnd(INLINE_MAX + 1, '.'));
    assert.equal(opened.length, 2, 'a second attempt, on the new blob');
    assert.notEqual(opened[0], opened[1]);
    t.mock.restoreAll();
    await store.close();
  });

  it('commits queued changes on close', async () => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    const created = store.createBucket({ bucket: 'bkt' });
    await store.close();
    await created;
    await assert.rejects(store.listBuckets({}), unavailable(/closed/));
    const reopened = await openFsStore({ dataDir: dir });
    assert.deepEqual((await reopened.listBuckets({})).map((b) => b.name), ['bkt']);
    await reopened.close();
  });

  it('refuses a body shorter than its announced length and keeps nothing of it', async () => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    await store.createBucket({ bucket: 'bkt' });
    await assert.rejects(
      store.putObject({ bucket: 'bkt', key: 'short', body: body('abc'), contentLength: 10 }),
      (err: unknown) => isServiceError(err) && err.code === 'IncompleteBody',
    );
    await store.close();
    const files = (await tree(join(dir, 'blobs'))).filter((p) => p.includes('/'));
    assert.deepEqual(files, []);
  });
});
