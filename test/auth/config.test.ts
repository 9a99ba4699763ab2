/** Access keys in the configuration: validation, the keys file, redaction, and the protected-mode rule. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from '../helpers/suites.js';
import { anonymousWarning, protectedModeProblem } from '../../src/config/protected.js';
import { hashSecret } from '../../src/auth/keys.js';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/server.js';

const HASH = hashSecret('a-secret-of-some-length');
const key = (id: string, extra: Record<string, unknown> = {}) => ({ id, secretHash: HASH, grants: [{ bucket: 'photos', actions: ['read'] }], ...extra });

/** The problems a ConfigError lists, one a line. */
function problemsOf(load: () => unknown): string {
  let problems = '';
  assert.throws(load, (err) => err instanceof ConfigError && Boolean((problems = err.problems.join('\n'))));
  return problems;
}

describe('access keys in the configuration', () => {
  it('has none by default, and fills in a grant prefix', () => {
    assert.deepEqual(loadConfig({ env: {} }).auth.keys, []);
    const config = loadConfig({ flags: { auth: { keys: [key('k1')] } } });
    assert.deepEqual(config.auth.keys[0]?.grants, [{ bucket: 'photos', prefix: '', actions: ['read'] }]);
  });

  it('lists every problem of a bad key', () => {
    const problems = problemsOf(() =>
      loadConfig({
        flags: {
          auth: {
            keys: [
              key('has.dot'),
              key('k2', { secretHash: 'md5:abc' }),
              key('k3', { grants: [{ bucket: 'Bad_Bucket', actions: ['read', 'fly'] }] }),
              key('k4', { secret: 'plain-secret-long-enough' }),
              key('k5', { grants: [] }),
              key('k5'),
            ],
          },
        },
      }),
    );
    assert.match(problems, /auth\.keys\.0\.id/);
    assert.match(problems, /auth\.keys\.1\.secretHash: must be sha256/);
    assert.match(problems, /auth\.keys\.2\.grants\.0\.bucket/);
    assert.match(problems, /auth\.keys\.2\.grants\.0\.actions\.1/);
    assert.match(problems, /auth\.keys\.3: set one of secretHash or secret/);
    assert.match(problems, /auth\.keys\.4\.grants/);
    assert.match(problems, /key id k5 appears twice/);
  });

  it('takes the metrics action on "*" only, where it is the service\'s', () => {
    const metrics = (grant: Record<string, unknown>) => ({ flags: { auth: { keys: [key('scraper', { grants: [{ actions: ['metrics'], ...grant }] })] } } });
    assert.deepEqual(loadConfig(metrics({ bucket: '*' })).auth.keys[0]?.grants[0]?.actions, ['metrics']);
    for (const grant of [{ bucket: 'photos' }, { bucket: '*', prefix: 'logs/' }]) {
      const problems = problemsOf(() => loadConfig(metrics(grant)));
      assert.match(problems, /auth\.keys\.0\.grants\.0\.actions: "metrics" is granted on the service: bucket "\*" without a prefix/);
    }
  });

  it('adds the keys of S3GATE_KEYS_FILE (an array, or {"keys": [...]}) to those of the config file', async () => {
    const dir = await tempDir('keys');
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify({ auth: { keys: [key('from-config')] } }));
    await writeFile(join(dir, 'keys.json'), JSON.stringify([key('from-file')]));
    await writeFile(join(dir, 'wrapped.json'), JSON.stringify({ keys: [key('wrapped')] }));
    const ids = (file: string) => loadConfig({ file: configFile, env: { S3GATE_KEYS_FILE: join(dir, file) } }).auth.keys.map((k) => k.id);
    assert.deepEqual(ids('keys.json'), ['from-config', 'from-file']);
    assert.deepEqual(ids('wrapped.json'), ['from-config', 'wrapped']);
  });

  it('reports a bad keys file by its name and the place in it', async () => {
    const dir = await tempDir('keys');
    await writeFile(join(dir, 'bad.json'), JSON.stringify([key('ok'), key('bad', { grants: [{ bucket: '*', actions: [] }] })]));
    const problem = problemsOf(() => loadConfig({ env: { S3GATE_KEYS_FILE: join(dir, 'bad.json') } }));
    assert.match(problem, /^keys file .*bad\.json \(S3GATE_KEYS_FILE\): keys\.1\.grants\.0\.actions/);
    const missing = problemsOf(() => loadConfig({ env: { S3GATE_KEYS_FILE: join(dir, 'none.json') } }));
    assert.match(missing, /keys file .*none\.json.*ENOENT/);
  });

  it('never logs a secret or its hash', () => {
    const config = loadConfig({ flags: { auth: { keys: [key('k1'), key('k2', { secretHash: undefined, secret: 'plain-secret-long-enough' })] } } });
    const logged = JSON.stringify(redactedConfig(config));
    assert.doesNotMatch(logged, /plain-secret|sha256/);
    assert.match(logged, /"id":"k1".*"id":"k2"/);
  });
});

describe('protected mode', () => {
  const settings = (host: string, keys: unknown[], allowAnonymous = false) => ({ host, allowAnonymous, auth: { keys } });

  it('refuses a non-loopback address without keys, naming the ways out', () => {
    const problem = protectedModeProblem(settings('0.0.0.0', []));
    assert.match(String(problem), /refusing to listen on 0\.0\.0\.0 without access keys/);
    assert.match(String(problem), /s3gate keys create/);
    assert.match(String(problem), /S3GATE_ALLOW_ANONYMOUS/);
    assert.match(problemsOf(() => loadConfig({ env: { S3GATE_HOST: '::' } })), /refusing to listen on ::/);
  });

  it('lets keys, or allow-anonymous with a warning, listen anywhere; loopback needs neither', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(protectedModeProblem(settings(host, [])), undefined, host);
    assert.equal(protectedModeProblem(settings('0.0.0.0', [key('k')])), undefined);
    assert.equal(anonymousWarning(settings('0.0.0.0', [key('k')])), undefined);
    assert.equal(protectedModeProblem(settings('0.0.0.0', [], true)), undefined);
    assert.match(String(anonymousWarning(settings('0.0.0.0', [], true))), /anonymous access on 0\.0\.0\.0/);
    assert.equal(anonymousWarning(settings('127.0.0.1', [], true)), undefined);
    assert.equal(loadConfig({ env: { S3GATE_HOST: '0.0.0.0' }, flags: { auth: { keys: [key('k')] } } }).host, '0.0.0.0');
  });
});
