/**
 * A full disk through a real listening server on an fs store in a small tmpfs of the test's own: writes are
 * refused with 507 and Retry-After on every face, deletes go through and free space, earlier objects stay
 * intact, readiness and metrics say so, and writes resume without a restart once there is room again. Filled
 * through the service (the floor holds) and from outside it, to the last byte (the reserve lets deletes commit).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { openFsStore } from '../../src/storage/fs/index.js';
import { scrape, total } from '../helpers/metrics.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { after, before, describe, it } from '../helpers/suites.js';
import { fillFrom, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { call, objectPath } from '../http/v1-support.js';
import { assertNoRoom, blobFiles, FLOOR, MIB, mountProblem, putStreamed, RESERVE, TMPFS_MIB, untilReserve } from './disk-support.js';
import { until } from '../helpers/until.js';

const skip = await mountProblem();
const BUCKET = 'photos';

/** A server over an fs store in a fresh tmpfs, with its reserve written and a bucket. */
async function fullDiskServer(reserve = RESERVE): Promise<{ disk: Tmpfs; dataDir: string; server: TestServer }> {
  const disk = await mountTmpfs(TMPFS_MIB);
  if ('skip' in disk) throw new Error(disk.skip);
  const dataDir = join(disk.dir, 'data');
  const store = await openFsStore({ dataDir, minFree: FLOOR, reserve });
  if (reserve > 0) await untilReserve(dataDir);
  const server = await startServer(store);
  assert.equal((await call(server.url, 'PUT', `/v1/buckets/${BUCKET}`)).status, 201);
  return { disk, dataDir, server };
}

async function readyz(server: TestServer): Promise<{ status: number; body: Record<string, string> }> {
  const res = await request(`${server.url}/readyz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
}

async function assertIntact(server: TestServer, objects: Map<string, Buffer>): Promise<void> {
  for (const [key, bytes] of objects) {
    const got = await call(server.url, 'GET', objectPath(BUCKET, key));
    assert.equal(got.status, 200, key);
    assert.ok(got.body.equals(bytes), `${key}: the bytes read back are the bytes written`);
  }
}

describe('fs store filled through the service', { skip }, () => {
  let disk: Tmpfs;
  let dataDir: string;
  let server: TestServer;
  const earlier = new Map([
    ['keep/small', randomBytes(4096)],
    ['keep/big', randomBytes(3 * MIB)],
  ]);
  const filled: string[] = [];

  before(async () => {
    ({ disk, dataDir, server } = await fullDiskServer());
    for (const [key, bytes] of earlier) assert.equal((await call(server.url, 'PUT', objectPath(BUCKET, key), { body: bytes })).status, 201);
    const link = await call(server.url, 'POST', '/v1/links', { json: { bucket: BUCKET, key: 'keep/small', kind: 'download' } });
    assert.equal(link.status, 201, link.text);
  });
  after(async () => {
    await server?.close();
    await server?.store.close();
    await disk?.unmount();
  });

  it('stops an upload of unknown length at the floor: 507, and nothing of it is left', async () => {
    const blobs = await blobFiles(dataDir);
    const answer = await putStreamed(server.url, objectPath(BUCKET, 'too-big'), TMPFS_MIB * MIB);
    assertNoRoom(answer, 'a streamed upload larger than the room left');
    assert.equal((await call(server.url, 'HEAD', objectPath(BUCKET, 'too-big'))).status, 404);
    assert.deepEqual(await blobFiles(dataDir), blobs, 'its partial blob file is removed');
    assert.ok((await disk.free()) >= FLOOR, 'the floor was kept');
  });

  it('refuses every write with 507 and Retry-After once full, on every face', async () => {
    // fill down to the floor, in smaller and smaller objects, each size until the store refuses it
    const refusals = [];
    for (const size of [4 * MIB, MIB, 256 * 1024, 64 * 1024, 32 * 1024]) {
      while (filled.length < 200) {
        const key = `fill/${filled.length}`;
        const answer = await call(server.url, 'PUT', objectPath(BUCKET, key), { body: randomBytes(size) });
        if (answer.status !== 201) {
          refusals.push({ size, answer });
          break;
        }
        filled.push(key);
      }
    }
    assert.ok(filled.length < 200, 'the store refuses writes before its disk is full');
    for (const { size, answer } of refusals) assertNoRoom(answer, `an upload of ${size} bytes near the floor`);
    await until('/readyz says the store is full', async () => (await readyz(server)).status === 503);
    const ready = await readyz(server);
    assert.equal(ready.body['status'], 'unavailable');
    assert.match(ready.body['reason'] ?? '', /full: .* MiB free .* keeps 8\.0 MiB free; writes are refused .* reads and deletes still work/);
    const samples = await scrape(`${server.url}/metrics`);
    assert.equal(total(samples, 's3gate_store_space_state', { state: 'full' }), 1);
    assert.equal(total(samples, 's3gate_store_space_state', { state: 'ok' }), 0);
    assert.equal(total(samples, 's3gate_store_min_free_bytes'), FLOOR);
    assert.ok(total(samples, 's3gate_store_free_bytes') < FLOOR + 64 * 1024);
    assert.equal(total(samples, 's3gate_store_size_bytes'), TMPFS_MIB * MIB);

    const blobs = await blobFiles(dataDir);
    const text = (path: string, body?: string) => call(server.url, 'POST', `/amazons3/imageStore/${path}`, body === undefined ? {} : { body });
    assertNoRoom(await text(`${BUCKET}/new.txt`, 'hello'), 'tutorial: create object', 'text');
    assertNoRoom(await text('newbucket'), 'tutorial: create bucket', 'text');
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'tiny'), { body: randomBytes(4096) }), 'v1: small (inline) object');
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'large'), { body: randomBytes(2 * MIB) }), 'v1: large object');
    assertNoRoom(await putStreamed(server.url, objectPath(BUCKET, 'streamed'), 2 * MIB), 'v1: upload of unknown length');
    const copy = { source: { bucket: BUCKET, key: 'keep/big' }, destination: { bucket: BUCKET, key: 'copy' } };
    assertNoRoom(await call(server.url, 'POST', '/v1/copy', { json: copy }), 'v1: copy');
    assertNoRoom(await call(server.url, 'PUT', '/v1/buckets/newbucket'), 'v1: create bucket');
    const link = { bucket: BUCKET, key: 'keep/big', kind: 'download' };
    assertNoRoom(await call(server.url, 'POST', '/v1/links', { json: link }), 'share links: create');
    for (const key of ['new.txt', 'tiny', 'large', 'streamed', 'copy']) {
      assert.equal((await call(server.url, 'HEAD', objectPath(BUCKET, key))).status, 404, `${key} is not stored`);
    }
    assert.equal((await call(server.url, 'HEAD', '/v1/buckets/newbucket')).status, 404);
    assert.deepEqual(await blobFiles(dataDir), blobs, 'refused writes leave no blob file behind');
  });

  it('reads earlier objects intact, byte for byte, while full', async () => {
    await assertIntact(server, earlier);
  });

  it('deletes through every face while full, which frees space; writes then work again without a restart', async () => {
    const freeBefore = await disk.free();
    const [first, second, third, fourth, ...rest] = filled;
    assert.ok(first && second && third && fourth);
    assert.equal((await call(server.url, 'DELETE', `/amazons3/imageStore/${BUCKET}/${first}`)).status, 200);
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, second))).status, 204);
    const batch = await call(server.url, 'POST', `/v1/buckets/${BUCKET}/delete`, { json: { keys: [third, fourth] } });
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.json<{ deleted: unknown[] }>().deleted.length, 2);
    await until('the deleted objects free their space', async () => (await disk.free()) >= freeBefore + 15 * MIB);

    await until('writes are accepted again', async () => {
      return (await call(server.url, 'PUT', objectPath(BUCKET, 'after'), { body: randomBytes(MIB) })).status === 201;
    });
    assert.equal((await readyz(server)).status, 200);
    const samples = await scrape(`${server.url}/metrics`);
    assert.equal(total(samples, 's3gate_store_space_state', { state: 'full' }), 0);
    assert.equal(total(samples, 's3gate_store_space_state', { state: 'ok' }) + total(samples, 's3gate_store_space_state', { state: 'low' }), 1);
    const link = await call(server.url, 'POST', '/v1/links', { json: { bucket: BUCKET, key: 'keep/big', kind: 'download' } });
    assert.equal(link.status, 201, link.text);
    const deleted = await call(server.url, 'DELETE', `/v1/buckets/${BUCKET}/objects?prefix=fill/`);
    assert.equal(deleted.json<{ deleted: number }>().deleted, rest.length);
    await assertIntact(server, earlier);
  });
});

describe('fs store filled to the last byte from outside the service', { skip }, () => {
  let disk: Tmpfs;
  let dataDir: string;
  let server: TestServer;
  const objects = new Map([
    ['a-small', randomBytes(4096)],
    ['b-big', randomBytes(2 * MIB)],
    ['c-big', randomBytes(2 * MIB)],
    ['d-small', randomBytes(20_000)],
  ]);

  before(async () => {
    ({ disk, dataDir, server } = await fullDiskServer());
    for (const [key, bytes] of objects) assert.equal((await call(server.url, 'PUT', objectPath(BUCKET, key), { body: bytes })).status, 201);
  });
  after(async () => {
    await server?.close();
    await server?.store.close();
    await disk?.unmount();
  });

  it('refuses writes with 507, leaving no partial file', async () => {
    const blobs = await blobFiles(dataDir);
    await fillFrom(join(disk.dir, 'filler'));
    assert.equal(await disk.free(), 0, 'not a byte left');
    // at once: the store may not have measured yet, so this may reach the file system and hit ENOSPC
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'large'), { body: randomBytes(3 * MIB) }), 'a large upload');
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'small'), { body: randomBytes(100) }), 'a small upload');
    assert.deepEqual(await blobFiles(dataDir), blobs, 'no partial blob file is left');
    assert.equal(await disk.free(), 0, 'still full');
  });

  it('still deletes: the reserve gives their commits the room', async () => {
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, 'a-small'))).status, 204);
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, 'b-big'))).status, 204);
    assert.equal(existsSync(join(dataDir, 'reserve')), false, 'the reserve was given up for the deletes');
    objects.delete('a-small');
    objects.delete('b-big');
    for (const key of ['a-small', 'b-big', 'large', 'small']) {
      assert.equal((await call(server.url, 'HEAD', objectPath(BUCKET, key))).status, 404, key);
    }
    await assertIntact(server, objects);
    await until('/readyz says the store is full', async () => (await readyz(server)).status === 503);
    assertNoRoom(await call(server.url, 'PUT', objectPath(BUCKET, 'small'), { body: randomBytes(100) }), 'an upload after the deletes');
  });

  it("writes again once the other program's file is gone, and writes its reserve again", async () => {
    await rm(join(disk.dir, 'filler'));
    await until('writes are accepted again', async () => {
      return (await call(server.url, 'PUT', objectPath(BUCKET, 'after'), { body: randomBytes(4096) })).status === 201;
    });
    await untilReserve(dataDir);
    assert.equal((await readyz(server)).status, 200);
    await assertIntact(server, objects);
  });
});

describe('fs store without a reserve, filled to the last byte from outside', { skip }, () => {
  let disk: Tmpfs;
  let server: TestServer;
  const bytes = randomBytes(2 * MIB);

  before(async () => {
    ({ disk, server } = await fullDiskServer(0));
    assert.equal((await call(server.url, 'PUT', objectPath(BUCKET, 'big'), { body: bytes })).status, 201);
  });
  after(async () => {
    await server?.close();
    await server?.store.close();
    await disk?.unmount();
  });

  it('refuses a delete it has no room to record with a clear 507, and deletes once there is room', async () => {
    await fillFrom(join(disk.dir, 'filler'));
    const refused = await call(server.url, 'DELETE', objectPath(BUCKET, 'big'));
    assertNoRoom(refused, 'a delete with no room at all');
    assert.match(refused.text, /full to the last byte .* not even a delete can be recorded/);
    await assertIntact(server, new Map([['big', bytes]]));
    await rm(join(disk.dir, 'filler'));
    assert.equal((await call(server.url, 'DELETE', objectPath(BUCKET, 'big'))).status, 204);
  });
});
