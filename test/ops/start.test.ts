/**
 * What the process says when it starts: one line naming where it listens (every address, when it listens on
 * all of them) and its store; no framework lines repeating it; the whole configuration only at debug; a
 * warning for a misspelt S3GATE_* variable. And a SIGHUP with a broken keys file reports that problem only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAIN, cleanEnv, spawnServer, untilOutput, type ChildServer } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { describe, it } from '../helpers/suites.js';

const KEY = { id: 'ops', secret: 'a-secret-of-twenty-chars', grants: [{ bucket: '*', actions: ['admin'] }] };

async function stop(server: ChildServer): Promise<void> {
  server.proc.kill('SIGTERM');
  await server.exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const lines = (server: ChildServer) => server.output().split('\n').filter((line) => line.trim() !== '');

describe('start-up log', () => {
  it('is one line on every address, without framework duplicates or the configuration', async () => {
    const dir = await tempDir('start-log');
    const keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify([KEY]));
    await chmod(keysFile, 0o600);
    const server = await spawnServer({ S3GATE_HOST: '0.0.0.0', S3GATE_KEYS_FILE: keysFile, S3GATE_DATA_DIR: join(dir, 'data'), S3GATE_PROT: '1' });
    try {
      const listening = lines(server).filter((line) => /listening/i.test(line));
      assert.equal(listening.length, 1, server.output());
      const start = JSON.parse(listening[0] ?? '{}') as { msg: string; address: string; addresses: string[]; config?: unknown };
      assert.match(start.msg, /^s3gate listening on every address \(0\.0\.0\.0\), port \d+: http:\/\/127\.0\.0\.1:\d+/);
      assert.match(start.msg, new RegExp(`fs store in ${join(dir, 'data').replaceAll('/', '\\/')}$`));
      assert.ok(start.addresses.includes(start.address) && start.address.startsWith('http://127.0.0.1:'), start.address);
      assert.equal(start.config, undefined, 'the configuration is not on the start line');
      assert.match(server.output(), /S3GATE_PROT is not a setting \(ignored\); did you mean S3GATE_PORT\?/);

      // a SIGHUP with a keys file that no longer parses: that problem, and not a false "no keys" refusal
      await writeFile(keysFile, '[{"id": ');
      const from = server.output().length;
      server.proc.kill('SIGHUP');
      await untilOutput(server, /access keys not reloaded/, from);
      const reload = server.output().slice(from);
      assert.match(reload, /keys file .* not valid JSON/);
      assert.doesNotMatch(reload, /refusing to listen/);
    } finally {
      await stop(server);
    }
  });

  it('shows the configuration at debug level, and one line in pretty format', async () => {
    const dir = await tempDir('start-log');
    const debug = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'a'), S3GATE_LOG_LEVEL: 'debug' });
    try {
      assert.match(debug.output(), /"msg":"configuration in effect"/);
    } finally {
      await stop(debug);
    }
    // pretty lines carry no "address" field for spawnServer to find: read the output directly
    const proc = spawn(process.execPath, [MAIN], { env: cleanEnv({ S3GATE_PORT: '0', S3GATE_S3API_PORT: '0', S3GATE_DATA_DIR: join(dir, 'b'), S3GATE_LOG_FORMAT: 'pretty' }) });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      for (const started = Date.now(); !/share-link sweep/.test(out); await sleep(20)) {
        assert.ok(Date.now() - started < 20_000, `no start in 20 s:\n${out}`);
      }
    } finally {
      proc.kill('SIGTERM');
    }
    const start = out.split('\n').findIndex((line) => line.includes('s3gate listening'));
    assert.match(out.split('\n')[start] ?? '', /INFO: s3gate listening on http:\/\/127\.0\.0\.1:\d+; S3 API on http:\/\/127\.0\.0\.1:\d+ \(no access keys: any signature, or none, is accepted\); fs store in /);
    assert.match(out.split('\n')[start + 1] ?? '', /^\[.*INFO: share-link sweep/, `nothing printed under the start line:\n${out}`);
  });
});
