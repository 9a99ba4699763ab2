/**
 * Slow clients are cut off within the configured bounds (a head sent byte by byte, a body trickling or
 * stalled, a response nobody reads), while a slow but steady upload, and a service that is itself slow,
 * are not. Small bounds here: 1 s head deadline, 1 s windows, at least 1 KiB/s while the client owes bytes.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import type { TestServer } from '../helpers/server.js';
import type { ObjectStore, PutObjectOptions } from '../../src/storage/types.js';
import { bytewise, fsServers, sendPaced, sleep } from './support.js';

const LIMITS = { headersTimeoutMs: 1_000, idleTimeoutMs: 1_000, minTransferRate: 1024 };
/** Node checks heads every second; the sweep every quarter window: the cut comes within this. */
const BOUND_MS = 3_500;
const BUCKET = 'slow-bucket';

/** The fs store, with uploads that wait before reading a byte: the service is the slow side. */
function slowToRead(store: ObjectStore, delayMs: number): ObjectStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'putObject') {
        return async (opts: PutObjectOptions) => {
          await sleep(delayMs);
          return target.putObject(opts);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function uploadHead(key: string, length: number): string {
  return (
    `POST /amazons3/imageStore/${BUCKET}/${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    `Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`
  );
}

describe('slow clients', () => {
  const fx = fsServers();
  let server: TestServer;
  let patient: TestServer;
  /** Idle windows longer than the gaps below: only the head deadline can end those. */
  let headOnly: TestServer;

  before(async () => {
    await fx.open();
    server = await fx.serve({ limits: LIMITS });
    patient = await fx.serve({ limits: LIMITS }, slowToRead(fx.store, 2_500));
    headOnly = await fx.serve({ limits: { headersTimeoutMs: 1_500, idleTimeoutMs: 10_000 } });
    await (await request(`${server.url}/amazons3/imageStore/${BUCKET}`, { method: 'POST' })).body.dump();
  });
  after(() => fx.close());

  it('cuts off a head sent one byte per second, with 408, within the head deadline', async () => {
    const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n\r\n';
    const outcome = await sendPaced(headOnly.url, bytewise(head), 1_000);
    assert.ok(outcome.closedAfterMs >= 1_400 && outcome.closedAfterMs < 1_500 + BOUND_MS, `closed after ${outcome.closedAfterMs} ms`);
    assert.ok(outcome.sent < 5, `${outcome.sent} bytes of the head were sent`);
    assert.match(outcome.response, /^HTTP\/1\.1 408 /);
    assert.match(outcome.response, /did not arrive within 1\.5 s/);
  });

  it('closes a connection that sends nothing, with 408, within the head deadline', async () => {
    const outcome = await sendPaced(headOnly.url, [], 0);
    assert.ok(outcome.closedAfterMs >= 1_400 && outcome.closedAfterMs < 1_500 + BOUND_MS, `closed after ${outcome.closedAfterMs} ms`);
    assert.match(outcome.response, /^HTTP\/1\.1 408 /);
  });

  it('cuts off a body trickling at 10 bytes per second', async () => {
    const length = 100_000;
    const parts = [uploadHead('trickle.bin', length), ...Array.from({ length }, () => 'x')];
    const outcome = await sendPaced(server.url, parts, 100);
    assert.ok(outcome.closedAfterMs < BOUND_MS, `closed after ${outcome.closedAfterMs} ms`);
    assert.doesNotMatch(outcome.response, /^HTTP\/1\.1 200/);
    const res = await request(`${server.url}/amazons3/imageStore/${BUCKET}/trickle.bin`);
    assert.equal(res.statusCode, 404, 'nothing half-sent was stored');
    await res.body.dump();
  });

  it('cuts off a body that stops halfway', async () => {
    const outcome = await sendPaced(server.url, [uploadHead('stalled.bin', 100_000), 'y'.repeat(50_000)], 60_000);
    assert.ok(outcome.closedAfterMs >= 900 && outcome.closedAfterMs < BOUND_MS, `closed after ${outcome.closedAfterMs} ms`);
  });

  it('keeps a slow but steady upload (8 KiB/s for 3 s) and stores all of it', async () => {
    const chunk = 'z'.repeat(2048);
    const count = 12;
    const outcome = await sendPaced(server.url, [uploadHead('steady.bin', chunk.length * count), ...Array(count).fill(chunk)], 250);
    assert.match(outcome.response, /^HTTP\/1\.1 200 /);
    assert.ok(outcome.closedAfterMs > 2_500, 'the upload outlasted several windows');
    const res = await request(`${server.url}/amazons3/imageStore/${BUCKET}/steady.bin`);
    assert.equal((await res.body.arrayBuffer()).byteLength, chunk.length * count);
  });

  it('does not count the time the service itself makes the client wait', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 'w'); // more than the buffers: the client is held back
    const started = Date.now();
    const res = await request(`${patient.url}/amazons3/imageStore/${BUCKET}/waited.bin`, { method: 'POST', body });
    assert.equal(res.statusCode, 200, await res.body.text());
    assert.ok(Date.now() - started >= 2_500);
  });

  it('cuts off a client that does not read its download', async () => {
    const size = 64 * 1024 * 1024; // more than the kernel's socket buffers on both sides hold
    const put = await request(`${server.url}/amazons3/imageStore/${BUCKET}/big.bin`, { method: 'POST', body: Buffer.alloc(size) });
    await put.body.dump();
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`GET /amazons3/imageStore/${BUCKET}/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    socket.pause();
    await sleep(BOUND_MS);
    let received = 0;
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    await closed;
    assert.ok(received < size, `the server stopped sending (${received} of ${size} bytes arrived)`);
  });
});
