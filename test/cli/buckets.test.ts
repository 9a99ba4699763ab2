/** s3gate bucket ls | create | rm, through a real service. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeRun, putText, startService, type Service } from './harness.js';

describe('s3gate bucket', () => {
  let service: Service;
  before(async () => {
    service = await startService();
  });
  after(() => service.stop());

  it('creates, lists and removes buckets', async () => {
    const created = await service.cli(['bucket', 'create', 'cli-alpha']);
    assert.equal(created.code, 0, describeRun(created));
    assert.equal(created.stdout, 'created cli-alpha\n');
    assert.equal((await service.cli(['bucket', 'create', 'cli-beta'])).code, 0);

    const listed = await service.cli(['bucket', 'ls']);
    assert.equal(listed.code, 0, describeRun(listed));
    const lines = listed.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(' ')[1]),
      ['cli-alpha', 'cli-beta'],
    );
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z /, 'an ISO date, then the name');

    const json = await service.cli(['bucket', 'ls', '--json']);
    const rows = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { name: string; creationDate: string });
    assert.deepEqual(rows.map((r) => r.name), ['cli-alpha', 'cli-beta']);

    const removed = await service.cli(['bucket', 'rm', 'cli-beta']);
    assert.equal(removed.code, 0, describeRun(removed));
    assert.equal(removed.stdout, 'removed cli-beta\n');
    assert.doesNotMatch((await service.cli(['bucket', 'ls'])).stdout, /cli-beta/);
  });

  it('exits 1 with the v1 error code for a bucket that exists, is missing or is not empty', async () => {
    await service.cli(['bucket', 'create', 'cli-taken']);
    const again = await service.cli(['bucket', 'create', 'cli-taken']);
    assert.equal(again.code, 1, describeRun(again));
    assert.match(again.stderr, /^s3gate: BucketAlreadyExists: .+\n$/);
    assert.equal(again.stdout, '');

    const missing = await service.cli(['bucket', 'rm', 'cli-never-made']);
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stderr, /^s3gate: NoSuchBucket: /);

    const bad = await service.cli(['bucket', 'create', 'Not_A_Bucket']);
    assert.equal(bad.code, 1, describeRun(bad));
    assert.match(bad.stderr, /^s3gate: InvalidBucketName: /);
  });

  it('refuses to remove a non-empty bucket unless --force', async () => {
    await service.cli(['bucket', 'create', 'cli-full']);
    await putText(service, 'cli-full', 'a/b.txt', 'x');
    const refused = await service.cli(['bucket', 'rm', 'cli-full']);
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(refused.stderr, /^s3gate: BucketNotEmpty: /);

    const forced = await service.cli(['bucket', 'rm', 'cli-full', '--force']);
    assert.equal(forced.code, 0, describeRun(forced));
    await assert.rejects(service.store.headBucket({ bucket: 'cli-full' }), { code: 'NoSuchBucket' });
  });

  it('is quiet with --quiet, and takes --endpoint after the command too', async () => {
    const quiet = await service.cli(['-q', 'bucket', 'create', 'cli-quiet']);
    assert.equal(quiet.code, 0, describeRun(quiet));
    assert.equal(quiet.stdout, '');
    const viaFlag = await service.cli(['bucket', 'ls', '--endpoint', service.url], { env: { S3GATE_ENDPOINT: 'http://127.0.0.1:1' } });
    assert.equal(viaFlag.code, 0, describeRun(viaFlag));
    assert.match(viaFlag.stdout, / cli-quiet$/m);
  });
});
