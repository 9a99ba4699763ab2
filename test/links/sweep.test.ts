/**
 * The sweep of ended share links (src/links/sweep.ts), on every store: expired, revoked and used-up links
 * lose their records and bucket markers once ended for `keepEndedMs`, live ones never do, paging holds past
 * one page, and two sweeps at once do no harm. On fs: the timer (at start, every interval, a log line each,
 * stopped on close, off at 0), and that it never keeps a process alive.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/suites.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkRepository } from '../../src/links/repository.js';
import type { LinkService } from '../../src/links/service.js';
import { LinkSweeper } from '../../src/links/sweep.js';
import { SystemArea, systemBucketFor } from '../../src/links/system-area.js';
import { runScriptToEnd } from '../helpers/child-server.js';
import { assertError, call } from '../http/v1-support.js';
import { type LogLine, opsServer } from '../ops/harness.js';
import { assertRefused, type CreatedLink, type LinkFixture, linkSuite } from './support.js';

const QUIET = { info: () => undefined, warn: () => undefined };
const isSweepLine = (line: LogLine) => line.msg?.startsWith('share-link sweep') === true;

function linkParts(fx: LinkFixture) {
  const shareLinks = fx.server.core.links;
  const area = new SystemArea(fx.server.store, systemBucketFor(fx.server.store, fx.systemBucket));
  return {
    service: shareLinks.service,
    sweeper: shareLinks.sweeper,
    /** Another sweeper over the same store, as another instance would run. */
    another: (keepEndedMs: number) => new LinkSweeper(new LinkRepository(area), { sweepIntervalMs: 0, keepEndedMs }, QUIET),
    /** Every key in the system area: records and markers. */
    storedKeys: async () => {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await area.list('share-links/', 1000, cursor);
        keys.push(...page.keys);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return keys;
    },
  };
}

/** Links that ended a second ago, made through the service (the API refuses a past expiry). */
async function expiredLinks(service: LinkService, bucket: string, n: number): Promise<string[]> {
  const expiresAt = new Date(Date.now() - 1000);
  const made = [];
  for (let i = 0; i < n; i += 20) {
    const batch = Array.from({ length: Math.min(20, n - i) }, (_, j) =>
      service.create({ bucket, key: `gone-${i + j}`, kind: 'download', expiresAt, maxUses: null, createdBy: null }),
    );
    made.push(...(await Promise.all(batch)));
  }
  return made.map(({ link }) => link.id);
}

linkSuite(
  'share link sweep',
  (fx) => {
    const untilExpired = (link: CreatedLink) => sleep(Math.max(0, Date.parse(link.expiresAt ?? '') - Date.now()) + 50);

    it('removes expired, revoked and used-up links with their markers, and keeps every live one', async () => {
      const { sweeper, storedKeys } = linkParts(fx);
      assert.equal((await fx.call('PUT', fx.objectPath('data.txt'), { body: 'shared' })).status, 201);
      const expired = await fx.createLink({ key: 'data.txt', expiresIn: 1 });
      const revoked = await fx.createLink({ key: 'data.txt' });
      assert.equal((await fx.call('DELETE', `/v1/links/${revoked.id}`)).status, 204);
      const usedUp = await fx.createLink({ key: 'data.txt', maxUses: 1 });
      assert.equal((await fx.useLink('GET', usedUp.token)).status, 200);
      const usedOnce = await fx.createLink({ key: 'data.txt', maxUses: 2 });
      assert.equal((await fx.useLink('GET', usedOnce.token)).status, 200);
      const live = [
        await fx.createLink({ key: 'data.txt' }),
        await fx.createLink({ key: 'data.txt', expiresIn: 3600 }),
        await fx.createLink({ key: 'later.txt', kind: 'upload' }),
        usedOnce,
      ];
      await untilExpired(expired);

      assert.deepEqual(await sweeper.sweep(), { examined: 7, removed: 3 });
      const keys = (await storedKeys()).join('\n');
      for (const ended of [expired, revoked, usedUp]) {
        assertError(await fx.call('GET', `/v1/links/${ended.id}`), 404, 'NotFound');
        assertRefused(await fx.useLink('GET', ended.token), /not a valid link/);
        assert.doesNotMatch(keys, new RegExp(ended.id), 'neither record nor marker is left');
      }
      for (const link of live) {
        assert.equal((await fx.readLink(link.id)).state, 'active');
        assert.match(keys, new RegExp(`links/${link.id}\\.json`));
        assert.match(keys, new RegExp(`by-bucket/${fx.bucket}/${link.id}`));
      }
      assert.equal((await fx.useLink('GET', usedOnce.token)).text, 'shared', 'a link with a use left still works');
      const listed = (await fx.call('GET', `/v1/links?bucket=${fx.bucket}`)).json<{ links: { id: string }[] }>().links;
      assert.deepEqual(listed.map((l) => l.id).sort(), live.map((l) => l.id).sort());
      assert.deepEqual(await sweeper.sweep(), { examined: 4, removed: 1 }, 'usedOnce is used up now');
    });

    it('keeps an ended link for keepEndedMs, showing why it ended, and removes it after', async () => {
      const { sweeper, another } = linkParts(fx);
      const expired = await fx.createLink({ key: 'data.txt', expiresIn: 1 });
      const revoked = await fx.createLink({ key: 'data.txt' });
      await fx.call('DELETE', `/v1/links/${revoked.id}`);
      const usedUp = await fx.createLink({ key: 'data.txt', maxUses: 1 });
      await fx.useLink('GET', usedUp.token);
      await untilExpired(expired);

      assert.equal((await another(3_600_000).sweep()).removed, 0, 'ended less than an hour ago');
      assertRefused(await fx.useLink('GET', expired.token), /link expired at/);
      assertRefused(await fx.useLink('GET', revoked.token), /link revoked/);
      assertRefused(await fx.useLink('GET', usedUp.token), /link used up/);
      assert.equal((await sweeper.sweep()).removed, 3, 'the server is configured with keepEndedMs 0');
    });

    it('pages through more records than one page, and two sweeps at once remove each ended link once', async () => {
      const { service, sweeper, another, storedKeys } = linkParts(fx);
      const ended = await expiredLinks(service, fx.bucket, 130);
      const live = await fx.createLink({ key: 'data.txt' });
      const [mine, theirs] = await Promise.all([sweeper.sweep(), another(0).sweep()]);
      assert.ok(mine.removed + theirs.removed >= ended.length, `${mine.removed} + ${theirs.removed} removed`);
      const keys = await storedKeys();
      assert.deepEqual(
        keys.filter((key) => ended.some((id) => key.includes(id))),
        [],
        'every ended record and marker is gone',
      );
      assert.equal((await fx.useLink('GET', live.token)).text, 'shared');
    });
  },
  { 'links.sweepIntervalMs': 0, 'links.keepEndedMs': 0 },
);

describe('the share-link sweep timer (fs)', () => {
  it('sweeps at start and every interval with one log line each, and stops when the app closes', async () => {
    const server = await opsServer({ 'links.sweepIntervalMs': 200, 'links.keepEndedMs': 0 });
    let closed = false;
    try {
      const first = await server.log.until(isSweepLine);
      assert.deepEqual([first['level'], first['removed'], first['examined']], [30, 0, 0], 'the start-up sweep');
      await call(server.url, 'PUT', '/v1/buckets/swept');
      const res = await call(server.url, 'POST', '/v1/links', { json: { bucket: 'swept', key: 'k', kind: 'download' } });
      const link = res.json<CreatedLink>();
      assert.equal((await call(server.url, 'DELETE', `/v1/links/${link.id}`)).status, 204);
      const line = await server.log.until((l) => isSweepLine(l) && l['removed'] === 1);
      assert.match(String(line.msg), /removed 1 ended links/);
      assertError(await call(server.url, 'GET', `/v1/links/${link.id}`), 404, 'NotFound');

      await server.close();
      closed = true;
      const sweeps = server.log.lines().filter(isSweepLine).length;
      await sleep(600);
      assert.equal(server.log.lines().filter(isSweepLine).length, sweeps, 'no sweep after close');
    } finally {
      if (!closed) await server.close();
    }
  });

  it('does not sweep with an interval of 0', async () => {
    const server = await opsServer({ 'links.sweepIntervalMs': 0 });
    try {
      await sleep(300);
      assert.deepEqual(server.log.lines().filter(isSweepLine), []);
    } finally {
      await server.close();
    }
  });

  it('never keeps a process alive', async () => {
    const module = new URL('../../src/links/sweep.js', import.meta.url).href;
    // a sweeper with an hour to its next sweep; the process has 200 ms of work of its own, then must end
    const script = `
      const { LinkSweeper } = await import(${JSON.stringify(module)});
      const links = { listIds: async () => ({ ids: [] }) };
      new LinkSweeper(links, { sweepIntervalMs: 3600000, keepEndedMs: 0 }, { info: (_, msg) => console.log(msg), warn: () => {} }).start();
      setTimeout(() => {}, 200);`;
    const out = await runScriptToEnd(script, [], 10_000); // fails unless it exits 0 by itself
    assert.match(out, /share-link sweep: removed 0 ended links/, 'the first sweep ran');
  });
});
