/** Exit codes for usage errors and an unreachable service, --help, and `s3gate serve` as a process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { cleanEnv } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { CLI, describeRun, runCli } from './harness.js';

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('s3gate usage', () => {
  it('--help documents every command, the exit codes and the environment', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0, describeRun(help));
    for (const command of [
      'serve',
      'bucket ls',
      'bucket create',
      'bucket rm',
      'object ls',
      'object put',
      'object get',
      'object sync',
      'object rm',
      'object cp',
      'object mv',
    ]) {
      assert.ok(help.stdout.includes(`s3gate ${command}`), `--help mentions ${command}`);
    }
    for (const text of ['S3GATE_ENDPOINT', 'S3GATE_TOKEN', 'Exit codes', '--recursive', '--json']) {
      assert.ok(help.stdout.includes(text) || help.stdout.includes(text.replace('--recursive', '-r')), text);
    }
    const sub = await runCli(['object', 'get', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--endpoint <url>/, 'global options in a command\'s help');
  });

  it('exits 2 for usage errors, before reaching any service', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [
      ['frobnicate'],
      ['bucket'],
      ['bucket', 'create'],
      ['bucket', 'ls', '--bogus'],
      ['object', 'get'],
      ['object', 'get', '/key-without-bucket'],
      ['object', 'rm', 'bucket-only'],
      ['object', 'rm', '-r', 'bucket-only'],
      ['object', 'cp', 'a/b'],
      ['object', 'put', '-j', '0', 'x', 'b/k'],
      ['object', 'sync', 'only-one'],
      ['object', 'sync', '.', '/tmp'],
      ['--endpoint', 'not a url', 'bucket', 'ls'],
      ['--endpoint', 'ftp://127.0.0.1', 'bucket', 'ls'],
    ]) {
      const run = await runCli(args, { endpoint });
      assert.equal(run.code, 2, `${args.join(' ')}: ${describeRun(run)}`);
      assert.notEqual(run.stderr, '', `${args.join(' ')} says why`);
      assert.equal(run.stdout, '');
    }
  });

  it('exits 3 when the service cannot be reached', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [['bucket', 'ls'], ['object', 'ls', 'b'], ['object', 'get', 'b/k', '-']]) {
      const run = await runCli(args, { endpoint });
      assert.equal(run.code, 3, `${args.join(' ')}: ${describeRun(run)}`);
      assert.match(run.stderr, new RegExp(`^s3gate: cannot reach ${endpoint}: ECONNREFUSED\\n$`));
    }
  });

  it('serve starts on the given flags, serves, and exits 0 on SIGTERM', async () => {
    const dir = await tempDir('cli-serve');
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
      env: cleanEnv({ S3GATE_S3API_PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      proc.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const match = /"address":"(http:\/\/[^"]+)"/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
    });
    try {
      const ready = await request(`${url}/readyz`);
      assert.equal(ready.statusCode, 200);
      await ready.body.dump();
      const listed = await runCli(['bucket', 'ls'], { endpoint: url });
      assert.equal(listed.code, 0, describeRun(listed));
    } finally {
      proc.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
  });

  it('serve exits 2 on bad configuration, listing the problem', async () => {
    const run = await runCli(['serve', '--port', 'x']);
    assert.equal(run.code, 2, describeRun(run));
    assert.match(run.stderr, /invalid configuration/);
  });
});
