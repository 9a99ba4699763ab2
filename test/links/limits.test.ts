/**
 * What ends a share link, on every store: expiry, revocation, and use limits (what counts as a use, a
 * failed upload giving its use back, concurrent uses never exceeding the limit).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, it } from '../helpers/suites.js';
import { assertError } from '../http/v1-support.js';
import { assertRefused, linkSuite } from './support.js';

const LIMIT = 64 * 1024;
const DATA = randomBytes(1000);

linkSuite(
  'share link limits',
  (fx) => {
    before(async () => {
      assert.equal((await fx.call('PUT', fx.objectPath('data.bin'), { body: DATA })).status, 201);
    });

    it('expires: works until expiresAt, then 403 "link expired at <expiresAt>"', async () => {
      const link = await fx.createLink({ key: 'data.bin', expiresIn: 1 });
      assert.ok(link.expiresAt);
      const left = Date.parse(link.expiresAt) - Date.now();
      assert.ok(left > 0 && left <= 1000, `${left} ms left`);
      assert.equal((await fx.useLink('GET', link.token)).status, 200);
      await sleep(left + 50);
      const res = await fx.useLink('GET', link.token);
      assertRefused(res, new RegExp(`link expired at ${link.expiresAt.replace(/\./g, '\\.')}`));
      assert.equal((await fx.useLink('HEAD', link.token)).status, 403);
      assert.equal((await fx.readLink(link.id)).state, 'expired');
    });

    it('takes an expiry as a date too, and keeps it to the millisecond', async () => {
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const link = await fx.createLink({ key: 'data.bin', expiresAt: at });
      assert.equal(link.expiresAt, at);
      assert.equal((await fx.readLink(link.id)).expiresAt, at);
    });

    it('is revoked at once by DELETE /v1/links/{id}: 403 "link revoked"; revoking again is no error', async () => {
      const link = await fx.createLink({ key: 'data.bin' });
      assert.equal((await fx.useLink('GET', link.token)).status, 200);
      assert.equal((await fx.call('DELETE', `/v1/links/${link.id}`)).status, 204);
      assertRefused(await fx.useLink('GET', link.token), /link revoked/);
      assert.equal((await fx.useLink('HEAD', link.token)).status, 403);
      const view = await fx.readLink(link.id);
      assert.equal(view.state, 'revoked');
      assert.ok(view.revokedAt && Math.abs(Date.parse(view.revokedAt) - Date.now()) < 60_000);
      assert.equal((await fx.call('DELETE', `/v1/links/${link.id}`)).status, 204);
      assert.equal((await fx.readLink(link.id)).revokedAt, view.revokedAt, 'the first revocation stays');
    });

    it('revokes upload links too', async () => {
      const link = await fx.createLink({ key: 'never.bin', kind: 'upload' });
      assert.equal((await fx.call('DELETE', `/v1/links/${link.id}`)).status, 204);
      assertRefused(await fx.useLink('PUT', link.token, { body: 'late' }), /link revoked/);
      assertError(await fx.call('GET', fx.objectPath('never.bin')), 404, 'NoSuchKey');
    });

    it('answers 404 for an unknown link id and 400 for a malformed one', async () => {
      const unknown = 'f'.repeat(32);
      assertError(await fx.call('DELETE', `/v1/links/${unknown}`), 404, 'NotFound');
      assertError(await fx.call('GET', `/v1/links/${unknown}`), 404, 'NotFound');
      assertError(await fx.call('DELETE', '/v1/links/not-an-id'), 400, 'InvalidArgument');
    });

    it('counts a download use only when bytes go out: HEAD, 304, 412 and 416 are free', async () => {
      const link = await fx.createLink({ key: 'data.bin', maxUses: 2 });
      const head = await fx.useLink('HEAD', link.token);
      assert.equal(head.status, 200);
      const etag = String(head.headers['etag']);
      assert.equal((await fx.useLink('GET', link.token, { headers: { 'if-none-match': etag } })).status, 304);
      assert.equal((await fx.useLink('GET', link.token, { headers: { 'if-match': '"other"' } })).status, 412);
      assert.equal((await fx.useLink('GET', link.token, { headers: { range: 'bytes=5000-' } })).status, 416);
      assert.equal((await fx.readLink(link.id)).uses, 0);
      assert.equal((await fx.useLink('GET', link.token)).status, 200);
      assert.equal((await fx.useLink('GET', link.token, { headers: { range: 'bytes=0-9' } })).status, 206);
      assertRefused(await fx.useLink('GET', link.token), /link used up \(2 of 2 uses\)/);
      assert.equal((await fx.useLink('HEAD', link.token)).status, 403);
      const view = await fx.readLink(link.id);
      assert.deepEqual([view.uses, view.state], [2, 'used-up']);
    });

    it('takes N uploads from an upload link with maxUses N, then refuses', async () => {
      const link = await fx.createLink({ key: 'drop/box.txt', kind: 'upload', maxUses: 3 });
      for (const n of [1, 2, 3]) {
        assert.equal((await fx.useLink('PUT', link.token, { body: `version ${n}` })).status, 201);
      }
      assertRefused(await fx.useLink('PUT', link.token, { body: 'version 4' }), /link used up \(3 of 3 uses\)/);
      assert.equal((await fx.call('GET', fx.objectPath('drop/box.txt'))).text, 'version 3');
    });

    it('gives the use back when an upload fails (413 over the size limit, 412 on If-None-Match)', async () => {
      const link = await fx.createLink({ key: 'data.bin', kind: 'upload' });
      assertError(await fx.useLink('PUT', link.token, { body: randomBytes(LIMIT + 1) }), 413, 'EntityTooLarge');
      assertError(await fx.useLink('PUT', link.token, { body: 'x', headers: { 'if-none-match': '*' } }), 412, 'PreconditionFailed');
      assert.equal((await fx.readLink(link.id)).uses, 0);
      assert.ok((await fx.call('GET', fx.objectPath('data.bin'))).body.equals(DATA), 'nothing was stored');
      assert.equal((await fx.useLink('PUT', link.token, { body: DATA })).status, 201, 'the one upload is still there');
      assertRefused(await fx.useLink('PUT', link.token, { body: DATA }), /link used up/);
    });

    it('never serves more than maxUses to concurrent requests', async () => {
      const link = await fx.createLink({ key: 'data.bin', maxUses: 3 });
      const answers = await Promise.all(Array.from({ length: 8 }, () => fx.useLink('GET', link.token)));
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [200, 200, 200, 403, 403, 403, 403, 403]);
      for (const a of answers.filter((x) => x.status === 200)) assert.ok(a.body.equals(DATA));
      assert.equal((await fx.readLink(link.id)).uses, 3);
    });
  },
  { maxObjectSize: LIMIT },
);
