/**
 * A restart on a full disk: s3gate as a process of its own (the settings through S3GATE_FS_*), its data dir
 * in a small tmpfs that another program fills to the last byte. Stopped and started again while full, it
 * opens, says it is full, refuses writes with 507, and its deletes go through (its reserve, written before
 * the disk filled up, gives their commits the room).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { after, before, describe, it } from '../helpers/suites.js';
import { fillFrom, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { call, objectPath } from '../http/v1-support.js';
import { assertNoRoom, FLOOR, MIB, mountProblem, RESERVE, TMPFS_MIB, untilReserve } from './disk-support.js';
import { until } from '../helpers/until.js';

const skip = await mountProblem();
const BUCKET = 'photos';

describe('fs store restarted on a full disk', { skip }, () => {
  let disk: Tmpfs;
  let dataDir: string;
  let server: ChildServer | undefined;
  const objects = new Map([
    ['x-big', randomBytes(2 * MIB)],
    ['y-small', randomBytes(1000)],
    ['z-big', randomBytes(3 * MIB)],
  ]);

  const start = () =>
    spawnServer({
      S3GATE_DATA_DIR: dataDir,
      S3GATE_FS_MIN_FREE: String(FLOOR),
      S3GATE_FS_RESERVE: `${RESERVE / MIB}MiB`,
      S3GATE_LOG_LEVEL: 'info',
    });
  const stop = async () => {
    if (!server) return;
    server.proc.kill('SIGTERM');
    await server.exited;
    server = undefined;
  };

  before(async () => {
    const mounted = await mountTmpfs(TMPFS_MIB);
    if ('skip' in mounted) throw new Error(mounted.skip);
    disk = mounted;
    dataDir = join(disk.dir, 'data');
    server = await start();
    await untilReserve(dataDir);
    assert.equal((await call(server.url, 'PUT', `/v1/buckets/${BUCKET}`)).status, 201);
    for (const [key, bytes] of objects) assert.equal((await call(server.url, 'PUT', objectPath(BUCKET, key), { body: bytes })).status, 201);
  });
  after(async () => {
    await stop();
    await disk?.unmount();
  });

  it('opens again while full, says so, and refuses writes with 507', async () => {
    await fillFrom(join(disk.dir, 'filler'));
    await stop();
    await fillFrom(join(disk.dir, 'filler')); // again: closing removed SQLite's WAL, which freed its space
    assert.equal(await disk.free(), 0, 'not a byte left');

    server = await start();
    const ready = await request(`${server.url}/readyz`);
    assert.equal(ready.statusCode, 503);
    assert.match(((await ready.body.json()) as { reason: string }).reason, /full/);
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'new'), { body: randomBytes(100) }), 'a write after the restart');
  });

  it('deletes after the restart, which frees space, and keeps the other objects intact', async () => {
    assert.ok(server, 'started again');
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, 'y-small'))).status, 204);
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, 'x-big'))).status, 204);
    for (const key of ['x-big', 'y-small']) assert.equal((await call(server.url, 'HEAD', objectPath(BUCKET, key))).status, 404);
    await until('the deleted blob frees its space', async () => (await disk.free()) >= 2 * MIB);
    const kept = await call(server.url, 'GET', objectPath(BUCKET, 'z-big'));
    assert.equal(kept.status, 200);
    assert.ok(kept.body.equals(objects.get('z-big') as Buffer), 'the earlier object is intact');
  });
});
