/**
 * The CLI sends a request again after 429 and 503 (src/cli/retry.ts): against the service's own rate limit,
 * and against a scripted local server for each rule: Retry-After in seconds and as an HTTP date, a backoff
 * without it, a wait longer than the cap, the retry limit, and stdin, which cannot be sent twice.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { call } from '../http/v1-support.js';
import { describeRun, runCli, startService, type Service } from './harness.js';

const DATA = randomBytes(256 * 1024);

async function dataFile(): Promise<string> {
  const path = join(await tempDir('cli-retry'), 'data.bin');
  await writeFile(path, DATA);
  return path;
}

describe('CLI retries against the service rate limit', () => {
  let service: Service;
  before(async () => {
    service = await startService({ rateLimit: { perAddress: 1, windowMs: 3000 } });
    await service.store.createBucket('limited');
  });
  after(() => service.stop());

  it('waits out a 429 for as long as Retry-After says, then uploads the whole file', async () => {
    const file = await dataFile();
    assert.equal((await call(service.url, 'GET', '/v1/buckets')).status, 200, "this window's one request");
    const started = Date.now();
    const put = await service.cli(['object', 'put', file, 'limited/data.bin']);
    assert.equal(put.code, 0, describeRun(put));
    assert.match(put.stderr, /the service answered 429 Too Many Requests; retrying in [0-3]\.\d s \(1 of 4\)/);
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

/** The scripted server itself; it records every request's body. */
async function scripted(script: Answer[]): Promise<Scripted & { close(): Promise<void> }> {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
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
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
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
      assert.match(put.stderr, /429 Too Many Requests; retrying in 0\.0 s \(1 of 4\)/);
      assert.match(put.stderr, /503 Service Unavailable; retrying in [01]\.\d s \(2 of 4\)/);
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

  it('gives up after 4 retries', async () => {
    const refusals = Array.from({ length: 10 }, () => ({ status: 429, headers: { 'retry-after': '0' } }));
    await withScripted(refusals, async (server) => {
      const ls = await runCli(['bucket', 'ls'], { endpoint: server.url });
      assert.equal(ls.code, 1, describeRun(ls));
      assert.match(ls.stderr, /^s3gate: TooManyRequests: Not now\. \(gave up after 4 retries\)$/m);
      assert.equal(server.bodies.length, 5);
    });
  });

  it('does not wait longer than 30 s: a longer Retry-After fails at once, saying so', async () => {
    await withScripted([{ status: 503, headers: { 'retry-after': '120' } }], async (server) => {
      const put = await runCli(['object', 'put', file, 'b/k'], { endpoint: server.url });
      assert.equal(put.code, 1, describeRun(put));
      assert.match(put.stderr, /ServiceUnavailable: Not now\. \(not retried: the service asks to wait 120 s, longer than the CLI waits \(30 s\); run the command again later\)/);
      assert.equal(server.bodies.length, 1);
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
