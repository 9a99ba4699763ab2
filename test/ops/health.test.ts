/** /healthz says the process answers; /readyz says whether the store does, and why not. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { request } from 'undici';
import { healthRoutes } from '../../src/http/routes/health.js';
import { createS3Store } from '../../src/storage/s3/index.js';
import { S3_STORE_DEFAULTS } from '../../src/storage/s3/options.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { startServer } from '../helpers/server.js';
import { captureLog, opsServer, type OpsServer } from './harness.js';

/** A loopback TCP server: `answer` false accepts connections and never says a word (a black hole). */
async function endpoint(answer: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    if (answer) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function s3StoreAt(url: string): ObjectStore {
  return createS3Store({
    ...S3_STORE_DEFAULTS,
    endpoint: url,
    forcePathStyle: true,
    accessKeyId: 'unused',
    secretAccessKey: 'unused',
    maxAttempts: 1,
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 60_000,
  });
}

describe('health on a working store', () => {
  let server: OpsServer;
  before(async () => {
    server = await opsServer();
  });
  after(() => server.close());

  for (const [path, body] of [
    ['/healthz', { status: 'ok' }],
    ['/readyz', { status: 'ready', store: 'fs' }],
  ] as const) {
    it(`${path} answers 200, never cached`, async () => {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.deepEqual(await res.body.json(), body);
    });
  }
});

describe('readiness on a store that fails', () => {
  it('answers 503 with the reason when the store refuses connections, and logs it', async () => {
    const refusing = await endpoint(true);
    const store = s3StoreAt(refusing.url);
    const log = captureLog();
    const server = await startServer(store, {}, log.logger);
    try {
      const ready = await request(`${server.url}/readyz`);
      assert.equal(ready.statusCode, 503);
      const report = (await ready.body.json()) as Record<string, string>;
      assert.equal(report['status'], 'unavailable');
      assert.equal(report['store'], 's3');
      assert.match(String(report['reason']), /unavailable|unreachable|reach/i);
      const line = await log.until((l) => String(l.msg).startsWith('not ready:'));
      assert.equal(line['level'], 40);
      const alive = await request(`${server.url}/healthz`);
      assert.equal(alive.statusCode, 200, 'alive all the same');
      await alive.body.dump();
    } finally {
      await server.close();
      await store.close();
      await refusing.close();
    }
  });

  it('answers 503 within its deadline when the store never answers', async () => {
    const silent = await endpoint(false);
    const store = s3StoreAt(silent.url);
    const app = Fastify();
    await app.register(healthRoutes, { store, readyTimeoutMs: 300 });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const started = Date.now();
      const ready = await request(`${url}/readyz`);
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(await ready.body.json(), {
        status: 'unavailable',
        store: 's3',
        reason: 'The store did not answer within 300 ms.',
      });
      assert.ok(Date.now() - started < 5_000, 'not left hanging');
    } finally {
      await app.close();
      await store.close();
      await silent.close();
    }
  });
});
