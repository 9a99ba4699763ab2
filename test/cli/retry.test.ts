/**
 * The CLI sends a request again after 429 and 503 (src/cli/retry.ts): against the service's own rate limit,
 * and against a scripted local server for each rule: Retry-After in seconds and as an HTTP date, a backoff
 * without it, 429s waited out without limit (one notice per pause, shared by the jobs in flight, Ctrl-C
 * still ending the wait), 503s bounded (retries and wait), and stdin, which cannot be sent twice.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { call } from '../http/v1-support.js';
import { adminKey, describeRun, runCli, startCli, startService, type Service } from './harness.js';

const DATA = randomBytes(256 * 1024);

async function dataFile(): Promise<string> {
  const path = join(await tempDir('cli-retry'), 'data.bin');
  await writeFile(path, DATA);
  return path;
}

const notices = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('s3gate: rate limited'));

describe('CLI retries against the service rate limit', () => {
  let service: Service;
  const { key, token } = adminKey('limited');
  before(async () => {
    service = await startService({ auth: { keys: [key] }, rateLimit: { perKey: 1, windowMs: 3000 } });
    await service.store.createBucket({ bucket: 'limited' });
  });
  after(() => service.stop());

  it('waits out a 429 for as long as Retry-After says, then uploads the whole file', async () => {
    const file = await dataFile();
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await call(service.url, 'GET', '/v1/buckets', { headers: auth })).status, 200, "this window's one request");
    const started = Date.now();
    const put = await service.cli(['object', 'put', file, 'limited/data.bin'], { env: { S3GATE_TOKEN: token } });
    assert.equal(put.code, 0, describeRun(put));
    assert.match(put.stderr, /^s3gate: rate limited \(TooManyRequests: Too many requests with access key limited: the limit is 1 per 3 s\. Retry in [1-3] s\.\); waiting [0-3]\.\d s$/m);
    assert.ok(Date.now() - started < 10_000);
    const { body } = await service.store.getObject({ bucket: 'limited', key: 'data.bin' });
    assert.ok((await readAll(body)).equals(DATA), 'the file as sent again, whole');
  });
});

interface Answer {
  status: number;
  headers?: Record<string, string>;
}

interface Scripted {
  url: string;
  bodies: Buffer[];
  /** When each request arrived (ms since the epoch). */
  times: number[];
}

/** A local server answering the scripted statuses in turn, then success, for the length of `use`. */
async function withScripted(script: Answer[], use: (server: Scripted) => Promise<void>): Promise<void> {
  const server = await scripted(script);
  try {
    await use(server);
  } finally {
    await server.close();
  }
}

/** The scripted server itself; it records every request's body and when it came. */
async function scripted(script: Answer[]): Promise<Scripted & { close(): Promise<void> }> {
  const bodies: Buffer[] = [];
  const times: number[] = [];
  const server = http.createServer((req, res) => {
    times.push(Date.now());
    void readAll(req).then((body) => {
      bodies.push(body);
      const next = script.shift();
      if (next) {
        const error = { error: { code: next.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'Not now.' } };
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(JSON.stringify(error));
      } else if (req.method === 'PUT') {
        const summary = { bucket: 'b', key: 'k', size: body.length, etag: '"e"', lastModified: new Date().toISOString() };
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(summary));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ buckets: [{ name: 'b', creationDate: new Date().toISOString() }] }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, times, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('CLI retry rules (a scripted server)', () => {
  let file: string;
  before(async () => {
    file = await dataFile();
  });

  it('takes Retry-After in seconds and as an HTTP date, and sends the file whole each time', async () => {
    const inOneSecond = new Date(Date.now() + 1000).toUTCString();
    const script = [{ status: 429, headers: { 'retry-after': '0' } }, { status: 503, headers: { 'retry-after': inOneSecond } }];
    await withScripted(script, async (server) => {
      const put = await runCli(['object', 'put', file, 'b/k'], { endpoint: server.url });
      assert.equal(put.code, 0, describeRun(put));
      assert.match(put.stderr, /^s3gate: rate limited \(TooManyRequests: Not now\.\); waiting 0\.0 s$/m);
      assert.match(put.stderr, /^s3gate: the service answered 503 Service Unavailable \(ServiceUnavailable: Not now\.\); retrying in [01]\.\d s \(1 of 4\)$/m);
      assert.equal(server.bodies.length, 3);
      for (const body of server.bodies) assert.ok(body.equals(DATA), 'every attempt sent the whole file');
    });
  });

  it('backs off with jitter when there is no Retry-After, and says nothing with --quiet', async () => {
    await withScripted([{ status: 503 }, { status: 503 }], async (server) => {
      const loud = await runCli(['bucket', 'ls'], { endpoint: server.url });
      assert.equal(loud.code, 0, describeRun(loud));
      const waits = [...loud.stderr.matchAll(/retrying in (\d+\.\d) s/g)].map((m) => Number(m[1]));
      assert.equal(waits.length, 2, loud.stderr);
      assert.ok(waits[0] !== undefined && waits[0] >= 0.2 && waits[0] <= 0.5, `first wait ${waits[0]}`);
      assert.ok(waits[1] !== undefined && waits[1] >= 0.5 && waits[1] <= 1, `second wait ${waits[1]}`);
    });
    await withScripted([{ status: 429, headers: { 'retry-after': '0' } }], async (quietServer) => {
      const quiet = await runCli(['-q', 'bucket', 'ls'], { endpoint: quietServer.url });
      assert.equal(quiet.code, 0, describeRun(quiet));
      assert.equal(quiet.stderr, '');
      assert.equal(quietServer.bodies.length, 2, 'retried all the same');
    });
  });

  it('waits out any number of 429s', async () => {
    const refusals = Array.from({ length: 12 }, () => ({ status: 429, headers: { 'retry-after': '0' } }));
    await withScripted(refusals, async (server) => {
      const put = await runCli(['object', 'put', file, 'b/k'], { endpoint: server.url });
      assert.equal(put.code, 0, describeRun(put));
      assert.equal(server.bodies.length, 13);
      assert.equal(notices(put.stderr).length, 12, 'each pause told (one request: one pause each)');
    });
  });

  it('gives up after 4 retries of a 503', async () => {
    const refusals = Array.from({ length: 10 }, () => ({ status: 503, headers: { 'retry-after': '0' } }));
    await withScripted(refusals, async (server) => {
      const ls = await runCli(['bucket', 'ls'], { endpoint: server.url });
      assert.equal(ls.code, 1, describeRun(ls));
      assert.match(ls.stderr, /^s3gate: ServiceUnavailable: Not now\. \(gave up after 4 retries\)$/m);
      assert.equal(server.bodies.length, 5);
    });
  });

  it('does not wait longer than 30 s for a 503: a longer Retry-After fails at once, saying so', async () => {
    await withScripted([{ status: 503, headers: { 'retry-after': '120' } }], async (server) => {
      const put = await runCli(['object', 'put', file, 'b/k'], { endpoint: server.url });
      assert.equal(put.code, 1, describeRun(put));
      assert.match(put.stderr, /ServiceUnavailable: Not now\. \(not retried: the service asks to wait 120 s, longer than the CLI waits \(30 s\); run the command again later\)/);
      assert.equal(server.bodies.length, 1);
    });
  });

  it('waits out a long 429 (saying how long), and Ctrl-C during the wait exits 130 at once', async () => {
    await withScripted([{ status: 429, headers: { 'retry-after': '600' } }], async (server) => {
      const run = startCli(['object', 'put', file, 'b/k'], { endpoint: server.url });
      await run.until((out) => out.stderr.includes('waiting'));
      assert.match(run.seen().stderr, /^s3gate: rate limited \(TooManyRequests: Not now\.\); waiting 10 min 0 s$/m);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      const ended = await run.result;
      assert.equal(ended.code, 130, describeRun(ended));
      assert.ok(Date.now() - signalled < 5_000, 'no waiting on after Ctrl-C');
      assert.equal(server.bodies.length, 1);
    });
  });

  it('pauses every job of a recursive upload together, told once', async () => {
    const folder = join(await tempDir('cli-retry-shared'), 'many');
    await mkdir(folder);
    for (let i = 0; i < 12; i++) await writeFile(join(folder, `f${i}.txt`), `file ${i}`);
    // the first request is refused for 3 s; the three others in flight at that moment are not
    await withScripted([{ status: 429, headers: { 'retry-after': '3' } }], async (server) => {
      const put = await runCli(['object', 'put', '-r', '-j', '4', folder, 'b/many/'], { endpoint: server.url });
      assert.equal(put.code, 0, describeRun(put));
      assert.equal(notices(put.stderr).length, 1, put.stderr);
      assert.equal(server.bodies.length, 13);
      const refusedAt = server.times[0] as number;
      // once the refusal is in, no job sends anything until the pause ends (in-flight ones had a second to land)
      const during = server.times.filter((t) => t > refusedAt + 1000 && t < refusedAt + 2900);
      assert.deepEqual(during, [], 'requests sent during the pause');
      assert.ok(server.times.some((t) => t >= refusedAt + 2900), 'the rest was sent after the pause');
    });
  });

  it('never sends stdin twice: a 429 on it fails with the reason and when to try again', async () => {
    await withScripted([{ status: 429, headers: { 'retry-after': '5' } }], async (server) => {
      const put = await runCli(['object', 'put', '-', 'b/k'], { endpoint: server.url, stdin: 'streamed once' });
      assert.equal(put.code, 1, describeRun(put));
      assert.match(put.stderr, /TooManyRequests: Not now\. \(not retried: what was read from stdin cannot be sent again; run the command again in 5 s\)/);
      assert.equal(server.bodies.length, 1);
    });
  });
});
