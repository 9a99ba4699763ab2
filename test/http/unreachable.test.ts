/** A store that cannot be reached gives 503 with a clear message, on every route, never a 500 or a hang. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { createS3Store } from '../../src/storage/s3/index.js';
import { S3_STORE_DEFAULTS } from '../../src/storage/s3/options.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** A loopback port that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('an unreachable store', () => {
  let server: TestServer;

  before(async () => {
    const store = createS3Store({
      ...S3_STORE_DEFAULTS,
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      forcePathStyle: true,
      accessKeyId: 'unused',
      secretAccessKey: 'unused',
      maxAttempts: 1,
      connectTimeoutMs: 1_000,
    });
    server = await startServer(store);
  });
  after(async () => {
    await server.close();
    await server.store.close();
  });

  const routes: Array<[method: 'GET' | 'POST' | 'DELETE', path: string, body?: string]> = [
    ['GET', '/amazons3/imageStore'],
    ['POST', '/amazons3/imageStore/some-bucket'],
    ['GET', '/amazons3/imageStore/some-bucket'],
    ['DELETE', '/amazons3/imageStore/some-bucket'],
    ['POST', '/amazons3/imageStore/some-bucket/key.txt', 'data'],
    ['GET', '/amazons3/imageStore/some-bucket/key.txt'],
    ['DELETE', '/amazons3/imageStore/some-bucket/key.txt'],
  ];

  for (const [method, path, body] of routes) {
    it(`answers ${method} ${path} with 503`, async () => {
      const res = await request(`${server.url}${path}`, { method, body });
      const text = await res.body.text();
      assert.equal(res.statusCode, 503, text);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(text, /unavailable|unreachable|reach/i);
    });
  }

  it('is not ready, though alive', async () => {
    const ready = await request(`${server.url}/readyz`);
    assert.equal(ready.statusCode, 503);
    const report = (await ready.body.json()) as { status: string; reason: string };
    assert.equal(report.status, 'unavailable');
    assert.ok(report.reason.length > 0);
    const alive = await request(`${server.url}/healthz`);
    assert.equal(alive.statusCode, 200);
    await alive.body.dump();
  });
});
