/** The network settings: their defaults, their S3GATE_* names, and the mistakes refused at start. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/suites.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('network configuration', () => {
  it('has safe defaults: no TLS, no CORS, limits and rate limits on', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config.tls, {});
    assert.deepEqual(config.limits, {
      maxHeaderSize: 16 * 1024,
      maxUrlLength: 8 * 1024,
      headersTimeoutMs: 20_000,
      idleTimeoutMs: 30_000,
      minTransferRate: 1024,
      keepAliveTimeoutMs: 72_000,
    });
    assert.deepEqual(config.rateLimit, { perAddress: 6_000, perKey: 12_000, windowMs: 60_000 });
    assert.deepEqual(config.cors, { origins: [], maxAgeSeconds: 600 });
    assert.deepEqual(config.trustProxy, []);
  });

  it('reads the S3GATE_* variables', () => {
    const config = loadConfig({
      env: {
        S3GATE_TLS_CERT_FILE: '/etc/s3gate/tls.crt',
        S3GATE_TLS_KEY_FILE: '/etc/s3gate/tls.key',
        S3GATE_MAX_HEADER_SIZE: '32KiB',
        S3GATE_MAX_URL_LENGTH: '10000',
        S3GATE_HEADERS_TIMEOUT_MS: '5000',
        S3GATE_IDLE_TIMEOUT_MS: '60000',
        S3GATE_MIN_TRANSFER_RATE: '4KiB',
        S3GATE_KEEP_ALIVE_TIMEOUT_MS: '5000',
        S3GATE_RATE_LIMIT_PER_ADDRESS: '100',
        S3GATE_RATE_LIMIT_PER_KEY: '0',
        S3GATE_RATE_LIMIT_WINDOW_MS: '1000',
        S3GATE_TRUST_PROXY: '10.0.0.0/8, ::1',
        S3GATE_CORS_ORIGINS: 'https://a.example, http://localhost:3000',
        S3GATE_CORS_MAX_AGE: '60',
      },
    });
    assert.deepEqual(config.tls, { certFile: '/etc/s3gate/tls.crt', keyFile: '/etc/s3gate/tls.key' });
    assert.deepEqual(config.limits, {
      maxHeaderSize: 32 * 1024,
      maxUrlLength: 10_000,
      headersTimeoutMs: 5_000,
      idleTimeoutMs: 60_000,
      minTransferRate: 4096,
      keepAliveTimeoutMs: 5_000,
    });
    assert.deepEqual(config.rateLimit, { perAddress: 100, perKey: 0, windowMs: 1_000 });
    assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '::1']);
    assert.deepEqual(config.cors, { origins: ['https://a.example', 'http://localhost:3000'], maxAgeSeconds: 60 });
  });

  it('wants the certificate and the key together', () => {
    assert.match(problemsOf({ S3GATE_TLS_CERT_FILE: '/etc/tls.crt' }), /certFile and keyFile go together/);
    assert.match(problemsOf({ S3GATE_TLS_KEY_FILE: '/etc/tls.key' }), /S3GATE_TLS_CERT_FILE/);
  });

  it('takes exact origins only', () => {
    for (const bad of ['*', 'https://a.example/', 'https://a.example/app', 'a.example', 'ftp://a.example']) {
      assert.match(problemsOf({ S3GATE_CORS_ORIGINS: bad }), /cors\.origins.*scheme:\/\/host/, bad);
    }
  });

  it('refuses limits that contradict each other, and bad proxy addresses', () => {
    assert.match(problemsOf({ S3GATE_MAX_URL_LENGTH: '20KiB' }), /maxUrlLength must be below maxHeaderSize/);
    assert.match(problemsOf({ S3GATE_HEADERS_TIMEOUT_MS: '0' }), /S3GATE_HEADERS_TIMEOUT_MS/);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/8']) {
      assert.match(problemsOf({ S3GATE_TRUST_PROXY: bad }), /trustProxy.*IP address or a CIDR block/, bad);
    }
  });
});
