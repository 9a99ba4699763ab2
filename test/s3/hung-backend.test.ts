/**
 * A real listening s3gate over the s3 store with its default time limits, retries and circuit, against
 * backends of the test's own: one that accepts connections and never answers, one that resets them.
 * Calls fail within seconds, then at once while the circuit is open, and the circuit closes by itself
 * when the backend answers again. Loopback only, no S3 server needed. Times are printed for the record;
 * the bounds asserted are generous.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { createS3Store, S3_STORE_DEFAULTS } from '../../src/storage/s3/index.js';
import { S3_CIRCUIT, type StoreLog } from '../../src/storage/s3/options.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { FAKE_BUCKET, FaultServer, type FaultMode } from './fault-server.js';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
  seconds: number;
}

async function timed(url: string, init: { method?: 'GET' | 'PUT'; body?: string } = {}): Promise<Answer> {
  const started = performance.now();
  const res = await request(url, { ...init, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const text = await res.body.text();
  const retryAfter = res.headers['retry-after'];
  return { status: res.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, text, seconds: (performance.now() - started) / 1000 };
}

function assertUnavailable(answer: Answer, what: string): void {
  assert.equal(answer.status, 503, `${what}: ${answer.text}`);
  assert.match(answer.retryAfter ?? '', /^\d+$/, `${what} says when to try again`);
  assert.match(answer.text, /unavailable/i);
}

/** Log lines of the store, kept for the assertions. */
function keptLog(): StoreLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_fields, message) => lines.push(message), warn: (_fields, message) => lines.push(message) };
}

async function startOver(mode: FaultMode, settings: Record<string, unknown> = {}) {
  const backend = new FaultServer(mode);
  const log = keptLog();
  const store = createS3Store({
    ...S3_STORE_DEFAULTS,
    endpoint: await backend.listen(),
    forcePathStyle: true,
    accessKeyId: 'fault-key',
    secretAccessKey: 'fault-secret',
    log,
  });
  const server = await startServer(store, settings);
  return { backend, log, server };
}

describe('s3 store: a backend that accepts connections and never answers (default settings)', () => {
  let backend: FaultServer;
  let log: StoreLog & { lines: string[] };
  let server: TestServer;
  const object = () => `${server.url}/amazons3/imageStore/${FAKE_BUCKET}/photo.jpg`;

  before(async () => {
    ({ backend, log, server } = await startOver('blackhole'));
  });
  after(async () => {
    await server.close();
    await server.store.close();
    await backend.close();
  });

  it('answers 503 with Retry-After within seconds, then at once while the circuit is open, and recovers by itself', async () => {
    // as many requests at once as failures open the circuit: the tutorial GET and the v1 PUT among them
    const first = await Promise.all([
      timed(object()),
      timed(`${server.url}/v1/buckets/${FAKE_BUCKET}/objects/new.txt`, { method: 'PUT', body: 'hello' }),
      ...Array.from({ length: S3_CIRCUIT.threshold - 2 }, () => timed(`${server.url}/amazons3/imageStore`)),
    ]);
    for (const [i, answer] of first.entries()) {
      assertUnavailable(answer, `request ${i}`);
      assert.ok(answer.seconds < 20, `request ${i} answered within 20 s (took ${answer.seconds.toFixed(1)} s)`);
    }
    console.log(`black hole, default settings: 503 after ${first.map((a) => a.seconds.toFixed(2)).join(', ')} s`);
    assert.deepEqual(log.lines, ['s3 backend unreachable: circuit open, calls answer 503 at once until a probe gets an answer']);

    const seen = backend.connections;
    const open = await timed(object());
    assertUnavailable(open, 'with the circuit open');
    assert.match(open.text, /failed since \d{4}-\d\d-\d\dT/);
    assert.ok(open.seconds < 1, `answered at once (took ${open.seconds.toFixed(3)} s)`);
    const ready = await timed(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(ready.text, /failed since/);
    assert.ok(ready.seconds < 1, `readiness answered at once (took ${ready.seconds.toFixed(3)} s)`);
    assert.equal(backend.connections, seen, 'no connection to the backend while the circuit is open');
    console.log(`circuit open: 503 after ${open.seconds.toFixed(3)} s, /readyz after ${ready.seconds.toFixed(3)} s`);

    // the backend comes back; nobody calls: the circuit's own probe must find it
    backend.mode = 'answer';
    backend.objects.set('photo.jpg', Buffer.from('jpeg bytes'));
    const recovered = await until('the circuit closes by itself', () => log.lines.length === 2, 90_000);
    assert.equal(log.lines[1], 's3 backend answers again: circuit closed');
    console.log(`backend back: circuit closed by itself after ${recovered.toFixed(2)} s`);
    const back = await timed(object());
    assert.equal(back.status, 200, back.text);
    assert.equal(back.text, 'jpeg bytes');
    const put = await timed(`${server.url}/v1/buckets/${FAKE_BUCKET}/objects/new.txt`, { method: 'PUT', body: 'hello' });
    assert.equal(put.status, 201, put.text);
    assert.equal(backend.objects.get('new.txt')?.toString(), 'hello');
  });
});

describe('s3 store: a backend that resets every connection (default settings)', () => {
  let backend: FaultServer;
  let log: StoreLog & { lines: string[] };
  let server: TestServer;

  before(async () => {
    // no share-link sweep: its calls would add connections of their own to the counts
    ({ backend, log, server } = await startOver('reset', { 'links.sweepIntervalMs': 0 }));
  });
  after(async () => {
    await server.close();
    await server.store.close();
    await backend.close();
  });

  it('answers 503 at once after a bounded number of tries, and opens the circuit', async () => {
    const url = `${server.url}/amazons3/imageStore/${FAKE_BUCKET}/photo.jpg`;
    const times: string[] = [];
    for (let call = 1; call <= S3_CIRCUIT.threshold; call++) {
      const before = backend.connections;
      const answer = await timed(url);
      assertUnavailable(answer, `call ${call}`);
      assert.ok(answer.seconds < 5, `call ${call} answered within 5 s (took ${answer.seconds.toFixed(2)} s)`);
      assert.equal(backend.connections - before, S3_STORE_DEFAULTS.maxAttempts, 'one connection per try, maxAttempts tries');
      times.push(answer.seconds.toFixed(3));
    }
    assert.deepEqual(log.lines, ['s3 backend unreachable: circuit open, calls answer 503 at once until a probe gets an answer']);
    const before = backend.connections;
    const open = await timed(url);
    assertUnavailable(open, 'with the circuit open');
    assert.ok(open.seconds < 1, `answered at once (took ${open.seconds.toFixed(3)} s)`);
    assert.equal(backend.connections, before, 'no connection while the circuit is open');
    console.log(`resetting backend: 503 after ${times.join(', ')} s (${S3_STORE_DEFAULTS.maxAttempts} connections each), then ${open.seconds.toFixed(3)} s with the circuit open`);
  });
});
