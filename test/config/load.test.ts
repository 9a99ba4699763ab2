import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from '../helpers/suites.js';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/load.js';
import { parseSize } from '../../src/config/sizes.js';
import { tempDir } from '../helpers/server.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('runs with no configuration at all: fs store in ./data on 127.0.0.1:9090', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 9090);
    assert.equal(config.store, 'fs');
    assert.equal(config.dataDir, './data');
    assert.equal(config.maxObjectSize, 5 * 1024 ** 3);
    assert.equal(config.s3.checksum, 'WHEN_REQUIRED');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.s3), 'config is frozen');
  });

  it('reads the documented S3GATE_* variables', () => {
    const config = loadConfig({
      env: {
        S3GATE_HOST: 'localhost',
        S3GATE_PORT: '9191',
        S3GATE_STORE: 's3',
        S3GATE_DATA_DIR: '/srv/data',
        S3GATE_S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3GATE_S3_REGION: 'eu-west-1',
        S3GATE_S3_FORCE_PATH_STYLE: 'true',
        S3GATE_S3_CA_FILE: '/etc/ca.pem',
        S3GATE_MAX_OBJECT_SIZE: '100MiB',
        S3GATE_LOG_LEVEL: 'debug',
      },
    });
    assert.equal(config.host, 'localhost');
    assert.equal(config.port, 9191);
    assert.equal(config.store, 's3');
    assert.equal(config.dataDir, '/srv/data');
    assert.equal(config.s3.endpoint, 'http://127.0.0.1:9000');
    assert.equal(config.s3.region, 'eu-west-1');
    assert.equal(config.s3.forcePathStyle, true);
    assert.equal(config.s3.caFile, '/etc/ca.pem');
    assert.equal(config.maxObjectSize, 100 * 1024 * 1024);
    assert.equal(config.logLevel, 'debug');
  });

  it('layers file < environment < flags', async () => {
    const dir = await tempDir('config');
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ port: 1111, dataDir: '/from/file', s3: { region: 'file-region' } }));
    const config = loadConfig({
      env: { S3GATE_CONFIG: file, S3GATE_PORT: '2222' },
      flags: { port: '3333', 'logLevel': undefined },
    });
    assert.equal(config.port, 3333);
    assert.equal(config.dataDir, '/from/file');
    assert.equal(config.s3.region, 'file-region');
  });

  it('lists every problem at once, naming the variable', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          S3GATE_PORT: 'eighty',
          S3GATE_STORE: 'ftp',
          S3GATE_MAX_OBJECT_SIZE: 'huge',
          S3GATE_S3_ENDPOINT: 'not a url',
          S3GATE_LOG_LEVEL: 'loud',
        },
      }),
    );
    assert.equal(problems.length, 5, problems.join('\n'));
    for (const name of ['S3GATE_PORT', 'S3GATE_STORE', 'S3GATE_MAX_OBJECT_SIZE', 'S3GATE_S3_ENDPOINT', 'S3GATE_LOG_LEVEL']) {
      assert.ok(problems.some((p) => p.includes(name)), `a problem names ${name}`);
    }
  });

  it('reports a broken config file and unknown settings', async () => {
    const dir = await tempDir('config');
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "port": 1, ');
    assert.match(problemsOf(() => loadConfig({ file: broken }))[0] ?? '', /broken\.json/);
    const unknown = join(dir, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ prot: 9090 }));
    assert.match(problemsOf(() => loadConfig({ file: unknown })).join('\n'), /prot/);
    assert.match(problemsOf(() => loadConfig({ file: join(dir, 'absent.json') })).join('\n'), /absent\.json/);
  });

  it('wants S3 keys in pairs and parts of at least 5 MiB', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { S3GATE_S3_ACCESS_KEY_ID: 'AKIA', S3GATE_S3_PART_SIZE: '1MiB' } }),
    );
    assert.equal(problems.length, 2, problems.join('\n'));
  });

  it('refuses to listen beyond loopback without access keys unless told to allow anonymous access', () => {
    const problems = problemsOf(() => loadConfig({ env: { S3GATE_HOST: '0.0.0.0' } }));
    assert.match(problems.join('\n'), /S3GATE_ALLOW_ANONYMOUS/);
    const allowed = loadConfig({ env: { S3GATE_HOST: '0.0.0.0', S3GATE_ALLOW_ANONYMOUS: 'true' } });
    assert.equal(allowed.allowAnonymous, true);
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) loadConfig({ env: { S3GATE_HOST: host } });
  });

  it('never shows secrets in the loggable view', () => {
    const config = loadConfig({
      env: { S3GATE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3GATE_S3_SECRET_ACCESS_KEY: 'very-secret-value' },
    });
    const shown = JSON.stringify(redactedConfig(config));
    assert.ok(!shown.includes('very-secret-value'));
    assert.ok(shown.includes('AKIAEXAMPLE'));
  });

  it('parses byte sizes', () => {
    assert.equal(parseSize('1048576'), 1048576);
    assert.equal(parseSize('5GiB'), 5 * 1024 ** 3);
    assert.equal(parseSize('1.5 MB'), 1_500_000);
    assert.equal(parseSize('10 parsecs'), undefined);
    assert.equal(parseSize('-1'), undefined);
  });
});
