/**
 * Many small files through `put -r`: 10,000 with the service's default settings (its per-address limit,
 * 6000 a minute, does not apply to a client on loopback), and a few hundred against a tiny per-key limit,
 * which the CLI waits out, pausing all its jobs together and saying so once per pause.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { adminKey, describeRun, smallContent, startService, storedObjects, writeSmallFiles } from './harness.js';

describe('s3gate object put -r of many small files', () => {
  it('uploads 10,000 files with the default settings', async (t) => {
    const service = await startService();
    try {
      await service.store.createBucket({ bucket: 'bulk' });
      const folder = await tempDir('cli-bulk');
      const paths = await writeSmallFiles(folder, 10_000);
      const started = performance.now();
      const put = await service.cli(['--quiet', 'object', 'put', '-r', folder, 'bulk/up']);
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(`10,000 files in ${seconds.toFixed(1)} s (${Math.round(10_000 / seconds)} files/s)`);
      assert.equal(put.code, 0, describeRun(put));
      assert.equal(put.stdout + put.stderr, '', 'nothing printed with --quiet');
      const stored = await storedObjects(service, 'bulk');
      assert.equal(stored.size, 10_000);
      const last = paths.at(-1) as string;
      assert.equal(stored.get(`up/${last}`)?.size, (await readFile(join(folder, last))).length);
      const { body } = await service.store.getObject({ bucket: 'bulk', key: `up/${last}` });
      assert.equal((await readAll(body)).toString(), smallContent(9_999));
    } finally {
      await service.stop();
    }
  });

  it('keeps to a tiny per-key limit by waiting, and says so once per pause', async (t) => {
    const { key, token } = adminKey('bulk');
    const limit = 50;
    const windowMs = 2000;
    const service = await startService({ auth: { keys: [key] }, rateLimit: { perKey: limit, windowMs } });
    try {
      await service.store.createBucket({ bucket: 'paced' });
      const folder = await tempDir('cli-paced');
      const count = 250;
      await writeSmallFiles(folder, count);
      const started = performance.now();
      const put = await service.cli(['object', 'put', '-r', folder, 'paced'], { env: { S3GATE_TOKEN: token } });
      const seconds = (performance.now() - started) / 1000;
      assert.equal(put.code, 0, describeRun(put));
      assert.equal(put.stdout.trimEnd().split('\n').length, count, 'one result line per file');
      const notices = put.stderr.trimEnd().split('\n');
      t.diagnostic(`${count} files at ${limit} per ${windowMs / 1000} s: ${seconds.toFixed(1)} s, ${notices.length} notices`);
      for (const line of notices) {
        assert.match(line, /^s3gate: rate limited \(TooManyRequests: Too many requests with access key bulk: the limit is 50 per 2 s\. Retry in [0-2] s\.\); waiting [0-2]\.\d s$/);
      }
      // 250 requests need 5 windows, so 4 pauses at least; jobs each telling their own would make ~4 a pause
      const windows = Math.ceil(count / limit);
      assert.ok(notices.length >= windows - 1 && notices.length <= windows + 2, `${notices.length} notices for ${windows} windows`);
      assert.equal((await storedObjects(service, 'paced')).size, count);
    } finally {
      await service.stop();
    }
  });
});
