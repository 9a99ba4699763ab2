/**
 * Keys that can sign S3 requests: `keys create --s3` makes an entry holding the secret itself; the keyring
 * hands that secret to a SigV4 check (and says when a key keeps only a hash); a config or keys file holding
 * such secrets is refused while its group or others may read it, at start and on SIGHUP; and no secret
 * reaches the log or --print-config.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, it } from '../helpers/suites.js';
import { Sha256 } from '../helpers/sigv4-sha256.js';
import { generateSecret, hashSecret, Keyring } from '../../src/auth/keys.js';
import { readClaim } from '../../src/auth/sigv4/claim.js';
import { verifySignature } from '../../src/auth/sigv4/verify.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { MAIN, cleanEnv, spawnServer, untilOutput } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';
import { call } from '../http/v1-support.js';
import { describeRun, runCli } from '../cli/harness.js';

const GRANTS = [{ bucket: '*', prefix: '', actions: ['admin' as const] }];

async function createS3Key(): Promise<{ id: string; secret: string; token: string; key: Record<string, unknown> }> {
  const result = await runCli(['keys', 'create', '--s3', '--bucket', '*', '--actions', 'admin', '--json']);
  assert.equal(result.code, 0, describeRun(result));
  return JSON.parse(result.stdout) as { id: string; secret: string; token: string; key: Record<string, unknown> };
}

describe('keys that sign S3 requests', () => {
  it('keys create --s3 keeps the secret in the entry, and says so in its human form', async () => {
    const made = await createS3Key();
    assert.equal(made.key['secret'], made.secret);
    assert.equal(made.key['secretHash'], undefined);
    assert.match(made.id, /^SG[A-Z2-7]{18}$/);
    const human = await runCli(['keys', 'create', '--s3', '--bucket', 'photos', '--actions', 'read']);
    assert.match(human.stdout, /S3 clients: access key id SG\w+, secret access key \w{40}/);
    assert.match(human.stdout, /chmod 600/);
  });

  it("gives a SigV4 check the key's secret, and tells a hash-only key apart from an unknown one", async () => {
    const secret = generateSecret();
    const ring = new Keyring([
      { id: 'SIGNER', secret, grants: GRANTS },
      { id: 'HASHED', secretHash: hashSecret(secret), grants: GRANTS },
    ]);
    const found = ring.signingSecret('SIGNER');
    assert.ok(found && 'secret' in found);
    assert.equal(found.principal.keyId, 'SIGNER');
    assert.deepEqual(ring.signingSecret('HASHED'), { principal: { keyId: 'HASHED', grants: GRANTS }, hashOnly: true });
    assert.equal(ring.signingSecret('NOBODY'), undefined);
    assert.equal(ring.verify('SIGNER', secret)?.keyId, 'SIGNER', 'the same key serves bearer tokens');

    // a request the SDK signed with the key verifies with what the keyring hands out
    const signer = new SignatureV4({ credentials: { accessKeyId: 'SIGNER', secretAccessKey: secret }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', path: '/b/k', query: {}, headers: { host: '127.0.0.1', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const headers = signed.headers as Record<string, string>;
    const arrived = { method: 'GET', rawPath: '/b/k', rawQuery: '', rawHeaders: Object.entries(headers).flat(), headers };
    const claim = readClaim(headers, '');
    assert.ok(claim);
    assert.equal(verifySignature(arrived, claim, found.secret, new Date()).accessKeyId, 'SIGNER');
  });

  it('refuses a keys file or config file with plain secrets that others may read, and takes it at 0600', async () => {
    const dir = await tempDir('s3-keys-mode');
    const keysFile = join(dir, 'keys.json');
    const configFile = join(dir, 'config.json');
    const secret = generateSecret();
    await writeFile(keysFile, JSON.stringify([{ id: 'SIGNER', secret, grants: GRANTS }]));
    await writeFile(configFile, JSON.stringify({ auth: { keys: [{ id: 'INLINE', secret, grants: GRANTS }] } }));
    for (const [mode, refused] of [[0o644, true], [0o640, true], [0o604, true], [0o600, false], [0o400, false]] as const) {
      await chmod(keysFile, mode);
      await chmod(configFile, mode);
      for (const sources of [{ env: { S3GATE_KEYS_FILE: keysFile } }, { file: configFile }]) {
        const load = () => loadConfig(sources);
        if (!refused) {
          assert.equal(load().auth.keys.length, 1);
          continue;
        }
        assert.throws(load, (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, /group or others may read it/);
          assert.match(err.message, /chmod 600/);
          assert.doesNotMatch(err.message, new RegExp(secret));
          return true;
        });
      }
    }
    // hashes only: any mode, as before
    await writeFile(keysFile, JSON.stringify([{ id: 'HASHED', secretHash: hashSecret(secret), grants: GRANTS }]));
    await chmod(keysFile, 0o644);
    assert.equal(loadConfig({ env: { S3GATE_KEYS_FILE: keysFile } }).auth.keys.length, 1);
  });

  it('serves a --s3 key over bearer tokens, keeps its keys when a reload finds the file readable by others, and never logs the secret', async () => {
    const dir = await tempDir('s3-keys-serve');
    const keysFile = join(dir, 'keys.json');
    const made = await createS3Key();
    await writeFile(keysFile, JSON.stringify([made.key]));

    await chmod(keysFile, 0o644);
    const refused = spawn(process.execPath, [MAIN], { env: cleanEnv({ S3GATE_KEYS_FILE: keysFile, S3GATE_DATA_DIR: join(dir, 'data') }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    refused.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    assert.equal(await new Promise((resolve) => refused.on('exit', resolve)), 2, stderr);
    assert.match(stderr, /chmod 600/);

    await chmod(keysFile, 0o600);
    const server = await spawnServer({ S3GATE_KEYS_FILE: keysFile, S3GATE_DATA_DIR: join(dir, 'data') });
    try {
      const bearer = { authorization: `Bearer ${made.token}` };
      assert.equal((await call(server.url, 'GET', '/v1/buckets', { headers: bearer })).status, 200);
      await chmod(keysFile, 0o644);
      const mark = server.output().length;
      server.proc.kill('SIGHUP');
      await untilOutput(server, /access keys not reloaded/, mark);
      assert.match(server.output().slice(mark), /chmod 600/);
      assert.equal((await call(server.url, 'GET', '/v1/buckets', { headers: bearer })).status, 200, 'the old keys stay');
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
    assert.doesNotMatch(server.output(), new RegExp(made.secret), 'no secret in the log');

    await chmod(keysFile, 0o600);
    const printed = await new Promise<string>((resolve) => {
      const proc = spawn(process.execPath, [MAIN, '--print-config'], { env: cleanEnv({ S3GATE_KEYS_FILE: keysFile }), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      proc.on('exit', () => resolve(out));
    });
    assert.match(printed, new RegExp(made.id), '--print-config shows the key');
    assert.doesNotMatch(printed, new RegExp(made.secret), '--print-config redacts its secret');
  });
});
