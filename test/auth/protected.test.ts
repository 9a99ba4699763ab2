/**
 * Protected mode as a process (dist/src/main.js): beyond loopback only with keys, or with allow-anonymous
 * and a warning; and the output of `s3gate keys create` is configuration a server and the CLI work with.
 * 0.0.0.0 is bound on a random port only, and reached through 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { MAIN, cleanEnv, spawnServer, type ChildServer } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { describeRun, runCli } from '../cli/harness.js';

/** The listener's port, reached on loopback whatever address it was bound to. */
const loopbackUrl = (server: ChildServer) => `http://127.0.0.1:${new URL(server.url).port}`;

async function stop(server: ChildServer): Promise<void> {
  server.proc.kill('SIGTERM');
  await server.exited;
}

/** `s3gate keys create` in its human form: the token line, and the config entry after it. */
async function createKey(args: string[]): Promise<{ token: string; entry: Record<string, unknown> }> {
  const result = await runCli(['keys', 'create', ...args]);
  assert.equal(result.code, 0, describeRun(result));
  const token = /^\s*token:\s+(\S+)$/m.exec(result.stdout)?.[1];
  assert.ok(token, result.stdout);
  const entry = JSON.parse(result.stdout.slice(result.stdout.indexOf('\n{') + 1)) as Record<string, unknown>;
  assert.doesNotMatch(JSON.stringify(entry), new RegExp(token.split('.')[1] ?? 'x'), 'the entry holds the hash, not the secret');
  return { token, entry };
}

describe('protected mode', () => {
  it('refuses a non-loopback address without keys, saying how to make keys', async () => {
    const proc = spawn(process.execPath, [MAIN, '--host', '0.0.0.0', '--port', '0'], { env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    assert.equal(await new Promise((resolve) => proc.on('exit', resolve)), 2);
    assert.match(stderr, /refusing to listen on 0\.0\.0\.0 without access keys/);
    assert.match(stderr, /s3gate keys create/);
  });

  it('starts on 0.0.0.0 with allow-anonymous, and warns', async () => {
    const cwd = await tempDir('anon');
    const server = await spawnServer({ S3GATE_HOST: '0.0.0.0', S3GATE_ALLOW_ANONYMOUS: 'true' }, { cwd });
    try {
      assert.equal((await request(`${loopbackUrl(server)}/amazons3/imageStore`)).statusCode, 200);
      assert.match(server.output(), /"level":40[^\n]*anonymous access on 0\.0\.0\.0/);
    } finally {
      await stop(server);
    }
  });

  it('starts on 0.0.0.0 with keys from S3GATE_KEYS_FILE, without a warning, and asks every request for a key', async () => {
    const cwd = await tempDir('keyed');
    const { token, entry } = await createKey(['--bucket', '*', '--actions', 'list']);
    await writeFile(join(cwd, 'keys.json'), JSON.stringify([entry]));
    const server = await spawnServer({ S3GATE_HOST: '0.0.0.0', S3GATE_KEYS_FILE: join(cwd, 'keys.json') }, { cwd });
    try {
      const url = `${loopbackUrl(server)}/v1/buckets`;
      const refused = await request(url);
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.headers['www-authenticate'], 'Bearer realm="s3gate"');
      await refused.body.dump();
      const served = await request(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(served.statusCode, 200);
      await served.body.dump();
      assert.doesNotMatch(server.output(), /anonymous access/);
      assert.doesNotMatch(server.output(), new RegExp(String(entry['secretHash']).slice(7)), 'the hash is not logged either');
    } finally {
      await stop(server);
    }
  });
});

describe('s3gate keys create', () => {
  it('prints a key that a server takes as configuration and the CLI uses as its token', async () => {
    const cwd = await tempDir('keys-cli');
    const writer = await createKey(['--bucket', 'cli-keys-bucket', '--actions', 'admin,write,list,read']);
    const reader = await createKey(['--grant', 'cli-keys-bucket=read', '--id', 'reader']);
    assert.equal(reader.entry['id'], 'reader');
    await writeFile(join(cwd, 'config.json'), JSON.stringify({ auth: { keys: [writer.entry, reader.entry] } }));
    const server = await spawnServer({}, { cwd, args: ['--config', join(cwd, 'config.json')] });
    const cli = (args: string[], token?: string) => runCli(args, { endpoint: server.url, env: token ? { S3GATE_TOKEN: token } : {} });
    try {
      const created = await cli(['bucket', 'create', 'cli-keys-bucket'], writer.token);
      assert.equal(created.code, 0, describeRun(created));
      const put = await cli(['object', 'put', '-', 'cli-keys-bucket/hello.txt'], writer.token);
      assert.equal(put.code, 0, describeRun(put));
      const got = await cli(['object', 'get', 'cli-keys-bucket/hello.txt', '-'], reader.token);
      assert.equal(got.code, 0, describeRun(got));
      const denied = await cli(['object', 'rm', 'cli-keys-bucket/hello.txt'], reader.token);
      assert.equal(denied.code, 1, describeRun(denied));
      assert.match(denied.stderr, /AccessDenied: Access denied: key reader may not delete cli-keys-bucket\/hello\.txt/);
      const anonymous = await cli(['bucket', 'ls']);
      assert.equal(anonymous.code, 1, describeRun(anonymous));
      assert.match(anonymous.stderr, /Unauthorized/);
    } finally {
      await stop(server);
    }
  });

  it('hashes an existing secret from stdin, as the config stores it', async () => {
    const result = await runCli(['keys', 'hash'], { stdin: 'abc\n' });
    assert.equal(result.stdout.trim(), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses a bad grant with a usage error', async () => {
    const result = await runCli(['keys', 'create', '--bucket', 'Bad_Name', '--actions', 'read,fly']);
    assert.equal(result.code, 2, describeRun(result));
    assert.match(result.stderr, /grants\.0\.bucket/);
    assert.match(result.stderr, /grants\.0\.actions\.1/);
  });

  it('makes a metrics-only key on "*", lists the action in its help, and refuses it on a bucket', async () => {
    const help = await runCli(['keys', 'create', '--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /read, list, write, delete, admin, metrics/);
    const { entry } = await createKey(['--bucket', '*', '--actions', 'metrics']);
    assert.deepEqual(entry['grants'], [{ bucket: '*', prefix: '', actions: ['metrics'] }]);
    const refused = await runCli(['keys', 'create', '--bucket', 'photos', '--actions', 'metrics']);
    assert.equal(refused.code, 2, describeRun(refused));
    assert.match(refused.stderr, /"metrics" is granted on the service/);
  });
});
