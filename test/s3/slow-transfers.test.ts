/**
 * The s3 store's time limits on transfers, against fake S3 servers of the test's own: a transfer that keeps
 * moving is never cut off, however long it takes and however long its gaps are below the idle limit, nor is
 * one whose caller reads slowly; one that stalls is cut off. Most use short limits, to stay quick; the
 * stalls use the default ones, which must end them within seconds. Loopback only, no S3 server needed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { isServiceError } from '../../src/errors/codes.js';
import { createS3Store, S3_STORE_DEFAULTS, type S3StoreOptions } from '../../src/storage/s3/index.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Short limits: gaps of 500 ms pass (idle 1.5 s), though they are longer than the first-byte limit. */
const SHORT = { connectTimeoutMs: 500, requestTimeoutMs: 300, idleTimeoutMs: 1_500, maxAttempts: 1 };
const TRICKLE_GAP_MS = 500;
/** Longer than twice the idle limit. */
const SLOW_MS = 3_500;
/**
 * How fast the fake takes an upload while slow. The sender sees progress in bursts: Linux reopens a closed
 * receive window only once half the receive buffer is free, so gaps last about 1.5 MB / rate on loopback
 * (measured: 1.4 s at 1 MB/s, 0.3 s at 6 MB/s).
 */
const SLOW_UPLOAD_RATE = 6_000_000;

const BUCKET = 'slow-bucket';
const BIG = 32 * 1024 * 1024;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, key: string) => void;

/** A fake S3 whose object requests `handler` answers; sockets are tracked so that close() ends stalled ones. */
async function fakeS3(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => handler(req, res, (req.url ?? '').split('?')[0]?.slice(`/${BUCKET}/`.length) ?? ''));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function storeOptions(endpoint: string, extra: Partial<S3StoreOptions>): S3StoreOptions {
  return { ...S3_STORE_DEFAULTS, endpoint, forcePathStyle: true, accessKeyId: 'slow-key', secretAccessKey: 'slow-secret', ...extra };
}

function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(i, i);
  return bytes;
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const seconds = (since: number) => (performance.now() - since) / 1000;

describe('s3 store: slow transfers through s3gate', () => {
  const big = pattern(BIG);
  const trickled = Buffer.from('0123456789abcdef'.repeat(64)); // 1 KiB
  const trickleChunks = 1 + Math.ceil(SLOW_MS / TRICKLE_GAP_MS);
  const received = new Map<string, Buffer>();
  let backend: { url: string; close(): Promise<void> };
  let server: TestServer;

  before(async () => {
    backend = await fakeS3((req, res, key) => {
      if (req.method === 'GET' && key === 'trickle') {
        const piece = Math.ceil(trickled.length / trickleChunks);
        res.writeHead(200, { 'content-length': trickled.length, etag: '"t"' });
        let sent = 0;
        const next = () => {
          res.write(trickled.subarray(sent * piece, (sent + 1) * piece));
          sent += 1;
          if (sent === trickleChunks) res.end();
          else setTimeout(next, TRICKLE_GAP_MS);
        };
        next();
      } else if (req.method === 'GET' && key === 'big') {
        res.writeHead(200, { 'content-length': big.length, etag: '"b"' }).end(big);
      } else if (req.method === 'PUT') {
        // takes the body at SLOW_UPLOAD_RATE for SLOW_MS, then at full speed
        const chunks: Buffer[] = [];
        const started = performance.now();
        let taken = 0;
        req.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          taken += chunk.length;
          const wait = started + (taken / SLOW_UPLOAD_RATE) * 1000 - performance.now();
          if (performance.now() - started < SLOW_MS && wait > 0) {
            req.pause();
            setTimeout(() => req.resume(), wait);
          }
        });
        req.on('end', () => {
          received.set(key, Buffer.concat(chunks));
          res.writeHead(200, { etag: '"p"' }).end();
        });
      } else {
        res.writeHead(404).end();
      }
    });
    // one part for the whole 32 MiB: a single PutObject that the backend takes slowly
    server = await startServer(createS3Store(storeOptions(backend.url, { ...SHORT, partSize: BIG })));
  });
  after(async () => {
    await server.close();
    await server.store.close();
    await backend.close();
  });

  it('delivers a GET whose body trickles, with gaps longer than the first-byte limit, for twice the idle limit', async () => {
    const started = performance.now();
    const res = await request(`${server.url}/amazons3/imageStore/${BUCKET}/trickle`);
    const body = Buffer.from(await res.body.arrayBuffer());
    assert.equal(res.statusCode, 200, body.toString());
    assert.ok(body.equals(trickled), `the whole body (${body.length} of ${trickled.length} bytes)`);
    assert.ok(seconds(started) > (2 * SHORT.idleTimeoutMs) / 1000, 'took longer than twice the idle limit');
    console.log(`trickled GET: whole after ${seconds(started).toFixed(2)} s (idle limit ${SHORT.idleTimeoutMs} ms)`);
  });

  it('delivers a large GET to a client that stops reading for three times the idle limit', async () => {
    const started = performance.now();
    const body = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(`${server.url}/amazons3/imageStore/${BUCKET}/big`, (res) => {
          assert.equal(res.statusCode, 200);
          res.pause();
          setTimeout(() => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(Buffer.concat(chunks)));
            res.on('error', reject);
            res.resume();
          }, 3 * SHORT.idleTimeoutMs);
        })
        .on('error', reject);
    });
    assert.equal(body.length, big.length, 'the whole body');
    assert.equal(md5(body), md5(big));
    console.log(`GET read after a ${3 * SHORT.idleTimeoutMs} ms pause: whole after ${seconds(started).toFixed(2)} s`);
  });

  it('stores an upload the backend takes slowly for longer than the first-byte and idle limits', async () => {
    const started = performance.now();
    const res = await request(`${server.url}/v1/buckets/${BUCKET}/objects/slow-upload`, { method: 'PUT', body: big });
    const text = await res.body.text();
    assert.equal(res.statusCode, 201, text);
    assert.equal(md5(received.get('slow-upload') ?? Buffer.alloc(0)), md5(big));
    assert.ok(seconds(started) > SLOW_MS / 1000, 'the upload took longer than twice the idle limit');
    console.log(`upload of 32 MiB taken slowly by the backend: stored after ${seconds(started).toFixed(2)} s`);
  });

  it('stores an upload whose caller sends it slowly, for longer than the limits', async () => {
    const pieces = 1 + Math.ceil(SLOW_MS / TRICKLE_GAP_MS);
    async function* slowly() {
      for (let i = 0; i < pieces; i++) {
        if (i > 0) await sleep(TRICKLE_GAP_MS);
        yield trickled;
      }
    }
    const started = performance.now();
    const res = await request(`${server.url}/v1/buckets/${BUCKET}/objects/slow-caller`, { method: 'PUT', body: Readable.from(slowly()) });
    const text = await res.body.text();
    assert.equal(res.statusCode, 201, text);
    assert.equal(received.get('slow-caller')?.length, pieces * trickled.length);
    assert.ok(seconds(started) > SLOW_MS / 1000, 'the upload took longer than twice the idle limit');
    console.log(`upload sent slowly by its caller: stored after ${seconds(started).toFixed(2)} s`);
  });
});

describe('s3 store: stalled transfers (default limits)', () => {
  let backend: { url: string; close(): Promise<void> };
  const bodyStarted = Buffer.alloc(64 * 1024, 1);

  before(async () => {
    backend = await fakeS3((req, res, key) => {
      if (req.method === 'GET' && key === 'stalls') {
        // announces 1 MiB, sends 64 KiB, then nothing more, keeping the connection open
        res.writeHead(200, { 'content-length': 1024 * 1024, etag: '"s"' });
        res.write(bodyStarted);
      } else if (req.method === 'PUT') {
        // takes 1 MiB of the body, then stops reading and never answers
        let taken = 0;
        req.on('data', (chunk: Buffer) => {
          taken += chunk.length;
          if (taken >= 1024 * 1024) req.pause();
        });
      } else {
        res.writeHead(404).end();
      }
    });
  });
  after(async () => {
    await backend.close();
  });

  it('ends a GET whose body stalls with an error within the idle limit, instead of holding the client', async () => {
    const server = await startServer(createS3Store(storeOptions(backend.url, {})));
    try {
      const started = performance.now();
      const res = await request(`${server.url}/amazons3/imageStore/${BUCKET}/stalls`, { bodyTimeout: 120_000 });
      assert.equal(res.statusCode, 200);
      const outcome = await res.body.arrayBuffer().then(
        (bytes) => `ended after ${bytes.byteLength} bytes`,
        (err: Error) => `failed (${err.message})`,
      );
      assert.doesNotMatch(outcome, /after 1048576 bytes/);
      const took = seconds(started);
      assert.ok(took < 30, `the client was let go within 30 s (took ${took.toFixed(1)} s)`);
      assert.ok(took > S3_STORE_DEFAULTS.idleTimeoutMs / 2000, 'not before the backend was silent for a while');
      console.log(`stalled GET: client let go after ${took.toFixed(2)} s: ${outcome}`);
    } finally {
      await server.close();
      await server.store.close();
    }
  });

  it('fails an upload the backend stops taking with ServiceUnavailable, on the idle limit', async () => {
    const store = createS3Store(storeOptions(backend.url, { maxAttempts: 1, partSize: BIG }));
    try {
      const started = performance.now();
      await assert.rejects(store.putObject({ bucket: BUCKET, key: 'stalled-upload', body: Readable.from([pattern(BIG)]) }), (err: unknown) => {
        assert.ok(isServiceError(err), String(err));
        assert.equal(err.code, 'ServiceUnavailable');
        assert.match(String((err.cause as Error | undefined)?.message), /took none of the request body/);
        return true;
      });
      const took = seconds(started);
      assert.ok(took < 30, `failed within 30 s (took ${took.toFixed(1)} s)`);
      console.log(`stalled upload: ServiceUnavailable after ${took.toFixed(2)} s`);
    } finally {
      await store.close();
    }
  });
});

describe('s3 store: the connect limit', () => {
  const sockets = new Set<net.Socket>();
  // accepts TCP connections and never speaks: a TLS handshake to it never ends
  const silent = net.createServer((socket) => sockets.add(socket));
  let url: string;

  before(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('covers the TLS handshake', async () => {
    const store = createS3Store(storeOptions(url, { connectTimeoutMs: 300, requestTimeoutMs: 20_000, maxAttempts: 1 }));
    try {
      const started = performance.now();
      await assert.rejects(store.listBuckets({}), (err: unknown) => {
        assert.ok(isServiceError(err), String(err));
        assert.equal(err.code, 'ServiceUnavailable');
        assert.match(String((err.cause as Error | undefined)?.message), /no connection within 300 ms/);
        return true;
      });
      assert.ok(seconds(started) < 5, `failed within 5 s (took ${seconds(started).toFixed(1)} s)`);
    } finally {
      await store.close();
    }
  });
});
