/** The service as a process: start with no configuration, refuse bad configuration, drain on SIGTERM and SIGINT. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { MAIN, cleanEnv, spawnServer } from '../helpers/child-server.js';
import { untilInFlight } from '../helpers/metrics.js';
import { tempDir } from '../helpers/server.js';

describe('service lifecycle', () => {
  it('starts with no configuration on the fs store in ./data and serves the tutorial API', async () => {
    const cwd = await tempDir('start');
    const server = await spawnServer({}, { cwd });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback by default');
      const ready = await request(`${server.url}/readyz`);
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(await ready.body.json(), { status: 'ready', store: 'fs' });
      const created = await request(`${server.url}/amazons3/imageStore/first-bucket`, { method: 'POST' });
      assert.equal(await created.body.text(), 'first-bucket created on Amazon S3.');
      assert.ok(existsSync(join(cwd, 'data', 'format.json')), 'the data dir defaults to ./data');
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
  });

  it('fails fast on bad configuration, listing every problem', async () => {
    const proc = spawn(process.execPath, [MAIN], {
      env: cleanEnv({ S3GATE_PORT: 'x', S3GATE_STORE: 'tape', S3GATE_HOST: '0.0.0.0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /S3GATE_PORT/);
    assert.match(stderr, /S3GATE_STORE/);
    assert.match(stderr, /invalid configuration/);
  });

  it('refuses to listen beyond loopback without keys', async () => {
    const proc = spawn(process.execPath, [MAIN, '--host', '0.0.0.0'], { env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    assert.equal(await new Promise((resolve) => proc.on('exit', resolve)), 2);
    assert.match(stderr, /refusing to listen on 0\.0\.0\.0/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`finishes an in-flight upload on ${signal}, then exits 0`, async () => {
      const cwd = await tempDir('drain');
      const env = { S3GATE_DATA_DIR: join(cwd, 'data') };
      const server = await spawnServer(env, { cwd });
      await (await request(`${server.url}/amazons3/imageStore/drain-bucket`, { method: 'POST' })).body.dump();

      const payload = randomBytes(2 * 1024 * 1024);
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${server.url}/amazons3/imageStore/drain-bucket/in-flight.bin`, {
          method: 'POST',
          headers: { 'content-length': payload.length, 'content-type': 'application/octet-stream' },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        // half the body now; the signal once the service is handling the request; the other half later
        req.write(payload.subarray(0, payload.length / 2), () => {
          void untilInFlight(`${server.url}/metrics`, 1).then(() => {
            server.proc.kill(signal);
            setTimeout(() => req.end(payload.subarray(payload.length / 2)), 300);
          }, reject);
        });
      });
      const result = await answer;
      assert.equal(result.status, 200, result.body);
      assert.equal(result.body, 'in-flight.bin created on Amazon S3 bucket : drain-bucket.');
      assert.equal(await server.exited, 0, server.output());
      assert.match(server.output(), /shutting down/);

      // what was acknowledged is there after a restart
      const again = await spawnServer(env, { cwd });
      try {
        const res = await request(`${again.url}/amazons3/imageStore/drain-bucket/in-flight.bin`);
        assert.deepEqual(Buffer.from(await res.body.arrayBuffer()), payload);
      } finally {
        again.proc.kill('SIGTERM');
        await again.exited;
      }
    });
  }
});
