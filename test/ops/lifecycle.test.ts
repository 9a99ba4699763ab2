/** The process around the service: fatal errors exit non-zero after a log line; log formats; the metrics port. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from '../helpers/suites.js';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { cleanEnv, MAIN, spawnServer } from '../helpers/child-server.js';
import { scrape, total } from '../helpers/metrics.js';
import { tempDir } from '../helpers/server.js';

const UNCAUGHT = fileURLToPath(new URL('./fixtures/uncaught.js', import.meta.url));

/** Runs node with `args` to its end: exit code and everything it wrote. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, output })));
}

describe('fatal errors', () => {
  for (const [kind, message] of [
    ['exception', 'uncaught exception'],
    ['rejection', 'unhandled rejection'],
  ] as const) {
    it(`an ${message} is logged as fatal, with its stack, and exits 1`, async () => {
      const { code, output } = await run([UNCAUGHT, kind]);
      assert.equal(code, 1, output);
      assert.doesNotMatch(output, /still running/);
      const line = JSON.parse(output.trim().split('\n').at(-1) ?? '') as { level: number; msg: string; err: { stack: string } };
      assert.equal(line.level, 60);
      assert.equal(line.msg, message);
      assert.match(line.err.stack, /uncaught\.js/);
    });
  }
});

describe('the service process', () => {
  it('logs human-readable lines when asked (S3GATE_LOG_FORMAT=pretty), and stops on SIGINT', async () => {
    const cwd = await tempDir('pretty');
    const proc = spawn(process.execPath, [MAIN], {
      cwd,
      env: cleanEnv({ S3GATE_PORT: '0', S3GATE_S3API_PORT: '0', S3GATE_LOG_FORMAT: 'pretty' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    try {
      for (let waited = 0; !/listening on http:\/\/\S+;/.test(output); waited += 20) {
        assert.ok(waited < 20_000, `no pretty start line:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const url = /listening on (http:\/\/\S+);/.exec(output)?.[1];
      await (await request(`${url}/healthz`, { headers: { authorization: 'Bearer pretty-secret' } })).body.dump();
      proc.kill('SIGINT');
      assert.equal(await exited, 0, output);
    } finally {
      proc.kill('SIGKILL'); // a failed step must not leave the service holding the test process open
    }
    assert.match(output, /INFO.*s3gate listening on http/);
    assert.match(output, /request completed/);
    assert.match(output, /route: "\/healthz"/);
    assert.doesNotMatch(output, /^\{"level"/m, 'no JSON lines');
    assert.doesNotMatch(output, /pretty-secret/);
  });

  it('serves /metrics on its own port when S3GATE_METRICS_PORT is set, and closes it on SIGTERM', async () => {
    const cwd = await tempDir('metrics-port');
    const server = await spawnServer({ S3GATE_METRICS_PORT: '0', S3GATE_DATA_DIR: join(cwd, 'data') }, { cwd });
    try {
      const metricsUrl = /"metricsAddress":"([^"]+)"/.exec(server.output())?.[1];
      assert.ok(metricsUrl, server.output());
      await (await request(`${server.url}/readyz`)).body.dump();
      const samples = await scrape(metricsUrl);
      assert.ok(total(samples, 's3gate_store_operation_duration_seconds_count', { operation: 'ping' }) >= 1);
      const onMain = await request(`${server.url}/metrics`);
      await onMain.body.dump();
      assert.equal(onMain.statusCode, 404);
    } finally {
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
    }
  });
});
