/**
 * The fs store's free-space settings and reserve, on an ordinary folder (no mount needed): the reserve file's
 * life, the default floor, the S3GATE_FS_* settings, and readiness near the floor.
 */
import assert from 'node:assert/strict';
import { rm, statfs, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { defaultMinFree } from '../../src/storage/fs/space.js';
import { scrape, total } from '../helpers/metrics.js';
import { startServer, tempDir } from '../helpers/server.js';
import { MIB, reserveSize } from './disk-support.js';
import { until } from '../helpers/until.js';

let root: string;
let n = 0;
const freshDir = () => join(root, `d${++n}`);

before(async () => {
  root = await tempDir('fs-space');
});
after(() => rm(root, { recursive: true, force: true }));

describe('fs store reserve file', () => {
  it('is written in the background, written again when short, and removed when set to 0', async () => {
    const dataDir = freshDir();
    const whole = () => until('the reserve is whole', async () => (await reserveSize(dataDir)) === MIB);
    let store = await openFsStore({ dataDir, reserve: MIB });
    await whole();
    await store.close();

    await truncate(join(dataDir, 'reserve'), 100); // as a crash while writing it would leave it
    store = await openFsStore({ dataDir, reserve: MIB });
    await whole();
    await store.close();

    store = await openFsStore({ dataDir, reserve: 0 });
    assert.equal(await reserveSize(dataDir), 0);
    await store.close();
  });
});

describe('fs store floor', () => {
  it('defaults to 1% of the file system, at least 64 MiB, at most 1 GiB, at most a quarter of a small one', () => {
    assert.equal(defaultMinFree(1024 * MIB), 64 * MIB);
    assert.equal(defaultMinFree(20 * 1024 * MIB), Math.floor((20 * 1024 * MIB) / 100));
    assert.equal(defaultMinFree(4 * 1024 * 1024 * MIB), 1024 * MIB);
    assert.equal(defaultMinFree(48 * MIB), 12 * MIB);
  });

  it('is set by S3GATE_FS_MIN_FREE, and the reserve by S3GATE_FS_RESERVE, as byte sizes', () => {
    const defaults = loadConfig({ env: {} });
    assert.equal(defaults.fs.minFree, undefined);
    assert.equal(defaults.fs.reserve, 16 * MIB);
    const set = loadConfig({ env: { S3GATE_FS_MIN_FREE: '2GiB', S3GATE_FS_RESERVE: '0' } });
    assert.equal(set.fs.minFree, 2 * 1024 * MIB);
    assert.equal(set.fs.reserve, 0);
    assert.throws(
      () => loadConfig({ env: { S3GATE_FS_MIN_FREE: 'lots' } }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.includes('S3GATE_FS_MIN_FREE')),
    );
  });

  it('is reported by /readyz (a warning in its 200) and the metrics when free space is near it', async () => {
    const dataDir = freshDir();
    const fs = await statfs(root);
    // free space in the middle of [floor, 2 × floor): robust to what other programs write meanwhile
    const minFree = Math.floor((fs.bavail * fs.bsize) / 1.5);
    const store = await openFsStore({ dataDir, minFree, reserve: 0 });
    const server = await startServer(store);
    try {
      const ready = await request(`${server.url}/readyz`);
      assert.equal(ready.statusCode, 200);
      const body = (await ready.body.json()) as Record<string, string>;
      assert.equal(body['status'], 'ready');
      assert.match(body['warning'] ?? '', /nearly full: .* MiB free of .* MiB, and it keeps .* MiB free/);
      const samples = await scrape(`${server.url}/metrics`);
      assert.equal(total(samples, 's3gate_store_space_state', { state: 'low' }), 1);
      assert.equal(total(samples, 's3gate_store_min_free_bytes'), minFree);
      assert.ok(total(samples, 's3gate_store_free_bytes') > minFree);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
