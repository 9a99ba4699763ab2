/** The operations settings: defaults, environment names, and refusals. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/suites.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('operations settings', () => {
  it('default to auto-detected log format and /metrics on the main listener', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.logFormat, 'auto');
    assert.deepEqual(config.metrics, { host: '127.0.0.1' });
  });

  it('come from S3GATE_LOG_FORMAT, S3GATE_METRICS_PORT and S3GATE_METRICS_HOST', () => {
    const config = loadConfig({ env: { S3GATE_LOG_FORMAT: 'pretty', S3GATE_METRICS_PORT: '9100', S3GATE_METRICS_HOST: '10.0.0.5' } });
    assert.equal(config.logFormat, 'pretty');
    assert.deepEqual(config.metrics, { port: 9100, host: '10.0.0.5' });
  });

  it('refuses bad values, naming their variables', () => {
    assert.throws(
      () => loadConfig({ env: { S3GATE_LOG_FORMAT: 'xml', S3GATE_METRICS_PORT: '70000' } }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 2, err.message);
        assert.match(err.message, /S3GATE_LOG_FORMAT/);
        assert.match(err.message, /S3GATE_METRICS_PORT/);
        return true;
      },
    );
  });
});
