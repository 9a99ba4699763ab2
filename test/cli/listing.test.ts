/** s3gate object ls: folders, prefixes, --recursive, --json, and paging past one page. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeRun, putText, startService, type Service } from './harness.js';

interface Row {
  type: 'object' | 'folder';
  key: string;
  size?: number;
}

function jsonRows(stdout: string): Row[] {
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
}

describe('s3gate object ls', () => {
  let service: Service;
  before(async () => {
    service = await startService();
    await service.store.createBucket({ bucket: 'list' });
    for (const key of ['a.txt', 'photos/2024/cat.png', 'photos/dog.png', 'zebra/z', 'ü.txt']) {
      await putText(service, 'list', key, `<${key}>`);
    }
  });
  after(() => service.stop());

  it('shows one level with folders as PRE, in key order', async () => {
    const ls = await service.cli(['object', 'ls', 'list']);
    assert.equal(ls.code, 0, describeRun(ls));
    const lines = ls.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.trim().split(/\s+/).at(-1)), ['a.txt', 'photos/', 'zebra/', 'ü.txt']);
    assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\S+Z\s+7 a\.txt$/);
    assert.match(lines[1] ?? '', /^\s+PRE photos\/$/);
  });

  it('takes the prefix as bucket/prefix or as a second argument, and lists everything with -r', async () => {
    const one = await service.cli(['object', 'ls', 'list/photos/', '--json']);
    assert.deepEqual(jsonRows(one.stdout).map((r) => [r.type, r.key]), [['folder', 'photos/2024/'], ['object', 'photos/dog.png']]);
    const two = await service.cli(['object', 'ls', 'list', 'photos/', '--json']);
    assert.equal(two.stdout, one.stdout);
    const all = await service.cli(['object', 'ls', '-r', 'list/photos', '--json']);
    const rows = jsonRows(all.stdout);
    assert.deepEqual(rows.map((r) => r.key), ['photos/2024/cat.png', 'photos/dog.png']);
    assert.equal(rows[0]?.size, '<photos/2024/cat.png>'.length);
    const both = await service.cli(['object', 'ls', 'list/photos', 'again']);
    assert.equal(both.code, 2, describeRun(both));
  });

  it('prints nothing for an empty prefix and exits 0', async () => {
    const none = await service.cli(['object', 'ls', 'list/nothing-here']);
    assert.equal(none.code, 0, describeRun(none));
    assert.equal(none.stdout, '');
  });

  it('follows the cursor past one page (1000 keys)', async () => {
    await service.store.createBucket({ bucket: 'many' });
    const keys = Array.from({ length: 1203 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (const key of keys) await putText(service, 'many', key, 'x');
    const ls = await service.cli(['object', 'ls', '-r', 'many']);
    assert.equal(ls.code, 0, describeRun(ls));
    assert.deepEqual(ls.stdout.trimEnd().split('\n').map((l) => l.split(' ').at(-1)), keys);
  });
});
