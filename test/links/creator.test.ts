/**
 * A share link carries no more than its creator's key may do now: removing or narrowing the key ends its links.
 * Servers with different key sets, one after another, over one fs store (links live in the store).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import type { AccessKeyConfig } from '../../src/config/auth.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { bearer, keyOf } from '../auth/support.js';
import { startServer, tempDir } from '../helpers/server.js';

const BUCKET = 'creator-check';
const admin = keyOf('admin', [{ bucket: '*', actions: ['admin'] }]);
const reader = keyOf('reader', [{ bucket: BUCKET, actions: ['read'] }]);

describe("share links and their creator's key", () => {
  let dir: string;
  let store: ObjectStore;

  /** Runs `fn` against a server with these keys (none: no access keys at all), then stops it. */
  async function withKeys<T>(keys: AccessKeyConfig[] | undefined, fn: (url: string) => Promise<T>): Promise<T> {
    const server = await startServer(store, keys ? { auth: { keys } } : {});
    try {
      return await fn(server.url);
    } finally {
      await server.close();
    }
  }

  async function download(url: string, token: string): Promise<{ status: number; text: string }> {
    const res = await request(`${url}/s/${token}`);
    return { status: res.statusCode, text: await res.body.text() };
  }

  async function createLink(url: string, who: string | undefined): Promise<string> {
    const res = await request(`${url}/v1/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(who ? bearer(who) : {}) },
      body: JSON.stringify({ bucket: BUCKET, key: 'doc.txt', kind: 'download' }),
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 201, text);
    return (JSON.parse(text) as { token: string }).token;
  }

  let token: string;
  before(async () => {
    dir = await tempDir('creator');
    store = await openFsStore({ dataDir: dir, durable: false });
    token = await withKeys([admin, reader], async (url) => {
      for (const [method, path, body] of [['PUT', `/v1/buckets/${BUCKET}`, undefined], ['PUT', `/v1/buckets/${BUCKET}/objects/doc.txt`, 'shared']] as const) {
        const res = await request(`${url}${path}`, { method, body, headers: bearer('admin') });
        assert.ok(res.statusCode < 300, await res.body.text());
      }
      const made = await createLink(url, 'reader');
      assert.deepEqual(await download(url, made), { status: 200, text: 'shared' });
      return made;
    });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends the links of a key whose grants no longer cover them', async () => {
    const narrowed = keyOf('reader', [{ bucket: 'somewhere-else', actions: ['read'] }]);
    const answer = await withKeys([admin, narrowed], (url) => download(url, token));
    assert.equal(answer.status, 403);
    assert.match(answer.text, /reader that made it may no longer read creator-check\/doc\.txt/);
  });

  it('ends the links of a key that was removed', async () => {
    const answer = await withKeys([admin], (url) => download(url, token));
    assert.equal(answer.status, 403);
    assert.match(answer.text, /access key reader that made it no longer exists/);
  });

  it('serves them again when the key is back as it was', async () => {
    assert.deepEqual(await withKeys([admin, reader], (url) => download(url, token)), { status: 200, text: 'shared' });
  });

  it('refuses, once keys are configured, a link made while the service had none', async () => {
    const anonymous = await withKeys(undefined, (url) => createLink(url, undefined));
    const answer = await withKeys([admin, reader], (url) => download(url, anonymous));
    assert.equal(answer.status, 403);
    assert.match(answer.text, /made before access keys were configured/);
  });
});
