/**
 * The fs store answers a write only once its WAL is synced (wal-sync.ts), syncs off the event loop while
 * later commits go on, and never undoes a committed row when the sync fails.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isServiceError } from '../../src/errors/codes.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { INLINE_MAX } from '../../src/storage/fs/inline.js';
import { WalSync } from '../../src/storage/fs/wal-sync.js';
import { readAll } from '../helpers/streams.js';

const body = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

let root: string;
let n = 0;
const freshDir = () => join(root, `d${++n}`);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 's3gate-durability-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** A promise with its resolve/reject outside. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether `p` has settled after a few event-loop turns. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await nextTurn();
  return done;
}

describe('fs store WAL sync', () => {
  it('answers a write only after the sync that covers it has completed, and keeps committing meanwhile', async (t) => {
    const store = await openFsStore({ dataDir: freshDir() });
    await store.createBucket({ bucket: 'bkt' });
    const disk = deferred();
    const sync = t.mock.method(WalSync.prototype, 'sync', () => disk.promise);
    const first = store.putObject({ bucket: 'bkt', key: 'a', body: body('one') });
    assert.equal(await settled(first), false, 'not answered before its sync');
    // committed already: visible to readers, and a later write commits too without waiting for the disk
    assert.equal((await readAll((await store.getObject({ bucket: 'bkt', key: 'a' })).body)).toString(), 'one');
    const second = store.putObject({ bucket: 'bkt', key: 'b', body: body('two') });
    assert.equal(await settled(second), false);
    assert.equal(sync.mock.callCount(), 2, 'each group asks for its sync');
    disk.resolve();
    await Promise.all([first, second]);
    t.mock.restoreAll();
    await store.close();
  });

  it('does not sync when not durable', async (t) => {
    const sync = t.mock.method(WalSync.prototype, 'sync');
    const store = await openFsStore({ dataDir: freshDir(), durable: false });
    await store.createBucket({ bucket: 'bkt' });
    await store.putObject({ bucket: 'bkt', key: 'a', body: body('one') });
    assert.equal(sync.mock.callCount(), 0);
    await store.close();
  });

  it('keeps a committed object and its blob when the sync fails, and says so', async (t) => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    await store.createBucket({ bucket: 'bkt' });
    const big = Buffer.alloc(INLINE_MAX + 1, 'b'); // in a blob file, which must not be removed
    t.mock.method(WalSync.prototype, 'sync', () => Promise.reject(new Error('EIO')));
    await assert.rejects(store.putObject({ bucket: 'bkt', key: 'k', body: body(big) }), (err: unknown) => {
      assert.ok(isServiceError(err));
      assert.equal(err.code, 'InternalError');
      assert.match(err.message, /could not make it durable/);
      return true;
    });
    t.mock.restoreAll();
    assert.ok((await readAll((await store.getObject({ bucket: 'bkt', key: 'k' })).body)).equals(big));
    await store.close();
    const reopened = await openFsStore({ dataDir: dir });
    assert.ok((await readAll((await reopened.getObject({ bucket: 'bkt', key: 'k' })).body)).equals(big));
    await reopened.close();
  });
});

/** Where this process's open descriptors on `path` point (Linux /proc): the path itself, or it marked "(deleted)". */
async function openDescriptorsOn(path: string): Promise<string[]> {
  const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((link) => link.startsWith(path));
}

describe('fs store WAL file', () => {
  it('keeps syncing the live WAL across checkpoints (SQLite reuses its WAL file, never replaces it)', async () => {
    const dir = freshDir();
    const store = await openFsStore({ dataDir: dir });
    await store.createBucket({ bucket: 'bkt' });
    const wal = join(dir, 'meta.sqlite-wal');
    // ~3 pages each: well past SQLite's 1,000-page autocheckpoint, several times
    for (let i = 0; i < 40; i++) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => store.putObject({ bucket: 'bkt', key: `k${i}-${j}`, body: body(Buffer.alloc(4096, i)) })));
    }
    const links = await openDescriptorsOn(wal);
    assert.ok(links.length >= 2, `SQLite's descriptor and ours: ${JSON.stringify(links)}`);
    assert.deepEqual(links.filter((link) => link !== wal), [], 'none on a replaced file');
    await store.close();
  });
});

describe('WalSync', () => {
  it('shares one further fdatasync among all the calls made while one is running', async (t) => {
    const file = join(root, 'wal');
    await writeFile(file, 'frames');
    const wal = WalSync.open(file);
    // begin() is private: spied on to count the fdatasyncs actually started
    const begin = t.mock.method(WalSync.prototype as unknown as { begin: () => Promise<void> }, 'begin');
    const first = wal.sync();
    const later = Array.from({ length: 10 }, () => wal.sync());
    assert.equal(begin.mock.callCount(), 1, 'the later calls wait for the running one to end');
    await Promise.all([first, ...later]);
    assert.equal(begin.mock.callCount(), 2, 'then share one more');
    await wal.sync();
    assert.equal(begin.mock.callCount(), 3, 'a call when none runs starts its own');
    wal.close();
  });
});
