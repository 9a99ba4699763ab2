/**
 * fs store listing at scale (200k rows, inserted straight into the index) and its edge cases.
 * Correctness only: speed is measured by bench/fs-list.ts, here it is merely reported.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '../../src/errors/codes.js';
import { MetaDb, type ObjectRow } from '../../src/storage/fs/db.js';
import { openFsStore, type FsStore } from '../../src/storage/fs/index.js';
import type { ListObjectsOptions } from '../../src/storage/types.js';
import { indexOnlyRow } from '../helpers/rows.js';

const LOGS = 150_000;
const DIRS = 100;
const pad = (i: number, width: number) => String(i).padStart(width, '0');

const row = (key: string): ObjectRow => indexOnlyRow('big', key, key.length);

/** 150k keys in logs/, 100 folders of 400 keys + a sub-folder of 100, and two keys at the top: 200,002. */
function* rows(): Generator<ObjectRow> {
  for (let i = 0; i < LOGS; i++) yield row(`logs/k${pad(i, 6)}`);
  for (let d = 0; d < DIRS; d++) {
    for (let i = 0; i < 400; i++) yield row(`dir-${pad(d, 3)}/file-${pad(i, 4)}`);
    for (let i = 0; i < 100; i++) yield row(`dir-${pad(d, 3)}/sub/${pad(i, 3)}`);
  }
  yield row('readme');
  yield row('zeta');
}

const TOP_PREFIXES = [...Array.from({ length: DIRS }, (_, d) => `dir-${pad(d, 3)}/`), 'logs/'];

describe('fs store listing', () => {
  let dataDir: string;
  let store: FsStore;

  async function walk(opts: Omit<ListObjectsOptions, 'bucket'>) {
    const keys: string[] = [];
    const prefixes: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await store.listObjects({ bucket: 'big', ...opts, continuationToken: token });
      assert.ok(page.objects.length + page.commonPrefixes.length <= (opts.maxKeys ?? 1000));
      keys.push(...page.objects.map((o) => o.key));
      prefixes.push(...page.commonPrefixes);
      token = page.nextContinuationToken;
      pages++;
    } while (token);
    return { keys, prefixes, pages };
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 's3gate-fs-listing-'));
    const setup = await openFsStore({ dataDir, durable: false });
    await setup.createBucket({ bucket: 'big' });
    await setup.createBucket({ bucket: 'small' });
    await setup.close();
    const db = MetaDb.open(join(dataDir, 'meta.sqlite'), false, dataDir);
    db.insertUnchecked(rows());
    db.close();
    store = await openFsStore({ dataDir, durable: false });
  });

  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pages through a prefix of 150k keys in order', async () => {
    const first = await store.listObjects({ bucket: 'big', prefix: 'logs/' });
    assert.equal(first.objects.length, 1000);
    assert.equal(first.objects[0]?.key, 'logs/k000000');
    assert.equal(first.objects[999]?.key, 'logs/k000999');
    assert.equal(first.isTruncated, true);
    const second = await store.listObjects({ bucket: 'big', prefix: 'logs/', continuationToken: first.nextContinuationToken });
    assert.equal(second.objects[0]?.key, 'logs/k001000');
    const all = await walk({ prefix: 'logs/' });
    assert.equal(all.keys.length, LOGS);
    assert.equal(all.pages, LOGS / 1000);
    assert.ok(all.keys.every((k, i) => k === `logs/k${pad(i, 6)}`));
  });

  it('rolls folders up into common prefixes, one seek each', async (t) => {
    const started = performance.now();
    const top = await store.listObjects({ bucket: 'big', delimiter: '/' });
    t.diagnostic(`top level of 200k keys with delimiter: ${(performance.now() - started).toFixed(1)} ms`);
    assert.deepEqual(top.commonPrefixes, TOP_PREFIXES);
    assert.deepEqual(top.objects.map((o) => o.key), ['readme', 'zeta']);
    assert.equal(top.isTruncated, false);
    const inDir = await store.listObjects({ bucket: 'big', prefix: 'dir-042/', delimiter: '/' });
    assert.equal(inDir.objects.length, 400);
    assert.equal(inDir.objects[399]?.key, 'dir-042/file-0399');
    assert.deepEqual(inDir.commonPrefixes, ['dir-042/sub/']);
  });

  it('pages through common prefixes, counting them against maxKeys', async () => {
    const paged = await walk({ delimiter: '/', maxKeys: 10 });
    assert.deepEqual(paged.prefixes, TOP_PREFIXES);
    assert.deepEqual(paged.keys, ['readme', 'zeta']);
    assert.equal(paged.pages, Math.ceil((TOP_PREFIXES.length + 2) / 10));
  });

  it('reports a page from the middle of a big bucket', async (t) => {
    const started = performance.now();
    const page = await store.listObjects({ bucket: 'big', startAfter: 'logs/k100000' });
    t.diagnostic(`1000 keys from the middle of 200k: ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(page.objects[0]?.key, 'logs/k100001');
    assert.equal(page.objects.length, 1000);
  });

  it('starts after a key, also inside a folder (which is listed again, as S3 does)', async () => {
    const tail = await store.listObjects({ bucket: 'big', prefix: 'logs/', startAfter: 'logs/k149998' });
    assert.deepEqual(tail.objects.map((o) => o.key), ['logs/k149999']);
    assert.equal(tail.isTruncated, false);
    const before = await store.listObjects({ bucket: 'big', prefix: 'logs/', startAfter: 'a' });
    assert.equal(before.objects[0]?.key, 'logs/k000000', 'startAfter before the prefix starts at the prefix');
    const inside = await store.listObjects({ bucket: 'big', delimiter: '/', startAfter: 'dir-005/file-0100', maxKeys: 2 });
    assert.deepEqual(inside.commonPrefixes, ['dir-005/', 'dir-006/']);
  });

  it('handles multi-byte delimiters and prefixes without a delimiter after them', async () => {
    for (const key of ['a--b--c', 'a--d', 'a-e', 'a', 'b--']) {
      await store.putObject({ bucket: 'small', key, body: Readable.from([Buffer.from(key)]) });
    }
    const page = await store.listObjects({ bucket: 'small', delimiter: '--' });
    assert.deepEqual(page.commonPrefixes, ['a--', 'b--']);
    assert.deepEqual(page.objects.map((o) => o.key), ['a', 'a-e']);
    const inner = await store.listObjects({ bucket: 'small', prefix: 'a--', delimiter: '--' });
    assert.deepEqual(inner.commonPrefixes, ['a--b--']);
    assert.deepEqual(inner.objects.map((o) => o.key), ['a--d']);
  });

  it('validates maxKeys and continuation tokens', async () => {
    const invalid = (err: unknown) => isServiceError(err) && err.code === 'InvalidArgument';
    await assert.rejects(store.listObjects({ bucket: 'big', maxKeys: 0 }), invalid);
    await assert.rejects(store.listObjects({ bucket: 'big', maxKeys: 1.5 }), invalid);
    await assert.rejects(store.listObjects({ bucket: 'big', continuationToken: 'not a token!' }), invalid);
    await assert.rejects(store.listObjects({ bucket: 'big', continuationToken: 'eA' }), invalid);
    assert.equal((await store.listObjects({ bucket: 'big', maxKeys: 5000 })).objects.length, 1000);
  });
});
