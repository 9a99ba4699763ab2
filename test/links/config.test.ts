/** The share-link settings: defaults, their S3GATE_LINKS_* variables, refusals, and the base URL of links. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from '../helpers/suites.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { startServer, tempDir } from '../helpers/server.js';
import { call } from '../http/v1-support.js';
import { createLinkAt } from './support.js';

const refusedWith = (pattern: RegExp) => (err: unknown) =>
  err instanceof ConfigError && err.problems.some((problem) => pattern.test(problem));

describe('share-link configuration', () => {
  it('defaults: system bucket s3gate-system, URLs from the request, an hourly sweep of links ended a day ago', () => {
    const { links } = loadConfig({ env: {} });
    assert.deepEqual({ ...links }, { systemBucket: 's3gate-system', sweepIntervalMs: 3_600_000, keepEndedMs: 86_400_000 });
  });

  it('reads S3GATE_LINKS_SYSTEM_BUCKET, S3GATE_LINKS_PUBLIC_URL and the sweep settings', () => {
    const { links } = loadConfig({
      env: {
        S3GATE_LINKS_SYSTEM_BUCKET: 'acme-links',
        S3GATE_LINKS_PUBLIC_URL: 'https://files.example.com',
        S3GATE_LINKS_SWEEP_INTERVAL_MS: '0',
        S3GATE_LINKS_KEEP_ENDED_MS: '60000',
      },
    });
    assert.deepEqual(
      { ...links },
      { systemBucket: 'acme-links', publicUrl: 'https://files.example.com', sweepIntervalMs: 0, keepEndedMs: 60_000 },
    );
    assert.throws(
      () => loadConfig({ env: { S3GATE_LINKS_SWEEP_INTERVAL_MS: '-1' } }),
      refusedWith(/^links\.sweepIntervalMs \(S3GATE_LINKS_SWEEP_INTERVAL_MS\)/),
    );
  });

  it('refuses a system bucket that is not a bucket name, and a public URL that is not a URL', () => {
    assert.throws(
      () => loadConfig({ env: { S3GATE_LINKS_SYSTEM_BUCKET: 'Links_Here' } }),
      refusedWith(/^links\.systemBucket \(S3GATE_LINKS_SYSTEM_BUCKET\): not a bucket name/),
    );
    assert.throws(() => loadConfig({ env: { S3GATE_LINKS_PUBLIC_URL: 'files.example.com' } }), refusedWith(/^links\.publicUrl/));
  });

  it('hands out URLs on the public base when one is set', async () => {
    const dataDir = await tempDir('links-config');
    const store = await openFsStore({ dataDir });
    const server = await startServer(store, { 'links.publicUrl': 'https://files.example.com/' });
    try {
      await call(server.url, 'PUT', '/v1/buckets/public-base');
      const link = await createLinkAt(server.url, { bucket: 'public-base', key: 'k' });
      assert.equal(link.url, `https://files.example.com/s/${link.token}`);
    } finally {
      await server.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
