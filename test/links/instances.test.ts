/**
 * Two s3gate instances on one S3 backend (Ceph RGW), as behind a load balancer: each its own store and
 * server, nothing shared but the backend. A link made on one works on the other, a revocation on one holds
 * on the other at once, use counts add up across both, concurrent uses included, and both may sweep ended
 * links at the same time. (The fs store has one
 * process per data dir, so this is s3 only.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/suites.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import { s3TestConfig } from '../helpers/s3-test-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { call, dropBucket, objectPath, uniqueBucket } from '../http/v1-support.js';
import { assertRefused, createLinkAt, type LinkView } from './support.js';

const s3 = s3TestConfig();

describe('share links across two instances on one RGW backend', 'skip' in s3 ? { skip: s3.skip } : {}, () => {
  const systemBucket = uniqueBucket('sys');
  const bucket = uniqueBucket('two');
  const servers: TestServer[] = [];
  let a: TestServer;
  let b: TestServer;

  /** A new instance: its own store (its own client and sockets) and server on the shared backend. */
  async function instance(sys = systemBucket, settings: Record<string, unknown> = {}): Promise<TestServer> {
    if ('skip' in s3) throw new Error(s3.skip);
    const server = await startServer(createS3Store(s3.options), { 'links.systemBucket': sys, ...settings });
    servers.push(server);
    return server;
  }

  const link = (on: TestServer, key: string, extra: { kind?: 'upload'; maxUses?: number } = {}) =>
    createLinkAt(on.url, { bucket, key, ...extra });
  const get = (on: TestServer, token: string) => call(on.url, 'GET', `/s/${token}`);

  before(async () => {
    a = await instance();
    b = await instance();
    assert.equal((await call(a.url, 'PUT', `/v1/buckets/${bucket}`)).status, 201);
    await call(a.url, 'PUT', objectPath(bucket, 'shared.txt'), { body: 'one backend' });
  });

  after(async () => {
    const [first] = servers;
    if (first) {
      await dropBucket(first.store, bucket);
      await dropBucket(first.store, systemBucket);
    }
    for (const server of servers) {
      await server.close();
      await server.store.close();
    }
  });

  it('uses on B a link created on A, and lists it on B', async () => {
    const created = await link(a, 'shared.txt');
    assert.equal((await get(b, created.token)).text, 'one backend');
    const listed = (await call(b.url, 'GET', `/v1/links?bucket=${bucket}`)).json<{ links: LinkView[] }>().links;
    assert.ok(listed.some((l) => l.id === created.id));
  });

  it('refuses on A a link revoked on B', async () => {
    const created = await link(a, 'shared.txt');
    assert.equal((await get(a, created.token)).status, 200);
    assert.equal((await call(b.url, 'DELETE', `/v1/links/${created.id}`)).status, 204);
    assertRefused(await get(a, created.token), /link revoked/);
    assertRefused(await get(b, created.token), /link revoked/);
  });

  it('counts uses across both instances', async () => {
    const created = await link(b, 'shared.txt', { maxUses: 4 });
    for (const on of [a, b, a, b]) assert.equal((await get(on, created.token)).status, 200);
    assertRefused(await get(a, created.token), /link used up \(4 of 4 uses\)/);
    assertRefused(await get(b, created.token), /link used up/);
  });

  it('never serves more than maxUses to concurrent requests spread over both', async () => {
    const created = await link(a, 'shared.txt', { maxUses: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => get(i % 2 === 0 ? a : b, created.token)));
    assert.equal(answers.filter((r) => r.status === 200).length, 3, answers.map((r) => r.status).join(' '));
    assert.equal(answers.filter((r) => r.status === 403).length, 7);
    const view = (await call(b.url, 'GET', `/v1/links/${created.id}`)).json<LinkView>();
    assert.deepEqual([view.uses, view.state], [3, 'used-up']);
  });

  it('takes the one upload of a link made on B on A, and refuses the next on B', async () => {
    const created = await link(b, 'dropped.txt', { kind: 'upload' });
    assert.equal((await call(a.url, 'PUT', `/s/${created.token}`, { body: 'via A' })).status, 201);
    assertRefused(await call(b.url, 'PUT', `/s/${created.token}`, { body: 'via B' }), /link used up/);
    assert.equal((await call(b.url, 'GET', objectPath(bucket, 'dropped.txt'))).text, 'via A');
  });

  it('agrees on one signing secret when two fresh instances make their first links at once', async () => {
    const fresh = uniqueBucket('sys');
    const [c, d] = [await instance(fresh), await instance(fresh)];
    try {
      const made = await Promise.all([c, d, c, d].map((on) => link(on, 'shared.txt')));
      for (const created of made) {
        assert.equal((await get(c, created.token)).status, 200);
        assert.equal((await get(d, created.token)).status, 200);
      }
    } finally {
      await dropBucket(c.store, fresh);
    }
  });

  it('sweeps ended links on both instances at once: each removed, none live, no error', async () => {
    const fresh = uniqueBucket('sys');
    const now = { 'links.sweepIntervalMs': 0, 'links.keepEndedMs': 0 };
    const [c, d] = [await instance(fresh, now), await instance(fresh, now)];
    try {
      const ended = await Promise.all(Array.from({ length: 12 }, (_, i) => link(i % 2 === 0 ? c : d, 'shared.txt')));
      for (const created of ended) assert.equal((await call(c.url, 'DELETE', `/v1/links/${created.id}`)).status, 204);
      const live = await link(d, 'shared.txt', { maxUses: 5 });
      const sweeps = await Promise.all([c, d, c, d].map((on) => on.core.links.sweeper.sweep()));
      const removed = sweeps.reduce((sum, result) => sum + (result?.removed ?? 0), 0);
      assert.ok(removed >= ended.length, `${removed} removed`);
      for (const created of ended) assert.equal((await call(d.url, 'GET', `/v1/links/${created.id}`)).status, 404);
      assert.equal((await get(c, live.token)).text, 'one backend');
      const listed = (await call(c.url, 'GET', `/v1/links?bucket=${bucket}`)).json<{ links: LinkView[] }>().links;
      assert.ok(listed.some((l) => l.id === live.id) && !listed.some((l) => ended.some((e) => e.id === l.id)));
    } finally {
      await dropBucket(c.store, fresh);
    }
  });
});
