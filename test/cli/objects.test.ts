/** s3gate object put | get | ls | rm | cp | mv on single objects, through a real service. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { describeRun, putText, startService, type Service } from './harness.js';

describe('s3gate object', () => {
  let service: Service;
  let work: string;
  before(async () => {
    service = await startService();
    work = await tempDir('cli-objects');
    await service.store.createBucket({ bucket: 'objs' });
    await service.store.createBucket({ bucket: 'other' });
  });
  after(() => service.stop());

  it('puts a file under its name, guessing the Content-Type, and gets it back', async () => {
    const file = join(work, 'employee.json');
    await writeFile(file, '{"id": 7,  "name": "Ada"}');
    const put = await service.cli(['object', 'put', file, 'objs']);
    assert.equal(put.code, 0, describeRun(put));
    assert.equal(put.stdout, `uploaded ${file} -> objs/employee.json\n`);
    const meta = await service.store.headObject({ bucket: 'objs', key: 'employee.json' });
    assert.match(meta.contentType, /^application\/json/);

    const got = await service.cli(['object', 'get', 'objs/employee.json', join(work, 'copy.json')]);
    assert.equal(got.code, 0, describeRun(got));
    assert.equal(await readFile(join(work, 'copy.json'), 'utf8'), '{"id": 7,  "name": "Ada"}', 'byte for byte');
  });

  it('puts into a folder key or to an exact key, with --content-type and --meta', async () => {
    const file = join(work, 'notes');
    await writeFile(file, 'hello');
    assert.equal((await service.cli(['object', 'put', file, 'objs/docs/'])).code, 0);
    await service.store.headObject({ bucket: 'objs', key: 'docs/notes' });
    const put = await service.cli(['object', 'put', file, 'objs/docs/readme.md', '--content-type', 'text/markdown', '--meta', 'owner=ada', '--meta', 'Team=core']);
    assert.equal(put.code, 0, describeRun(put));
    const meta = await service.store.headObject({ bucket: 'objs', key: 'docs/readme.md' });
    assert.equal(meta.contentType, 'text/markdown');
    assert.deepEqual(meta.metadata, { owner: 'ada', team: 'core' });
    const bad = await service.cli(['object', 'put', file, 'objs/x', '--meta', 'novalue']);
    assert.equal(bad.code, 2, describeRun(bad));
  });

  it('gets to stdout with -, and into a folder by the key name', async () => {
    await putText(service, 'objs', 'deep/path/poem.txt', 'roses\nviolets\n');
    const out = await service.cli(['object', 'get', 'objs/deep/path/poem.txt', '-']);
    assert.equal(out.code, 0, describeRun(out));
    assert.equal(out.stdout, 'roses\nviolets\n');
    const into = await service.cli(['object', 'get', 'objs/deep/path/poem.txt'], { cwd: work });
    assert.equal(into.code, 0, describeRun(into));
    assert.equal(await readFile(join(work, 'poem.txt'), 'utf8'), 'roses\nviolets\n');
  });

  it('puts stdin with -, which needs a key', async () => {
    const put = await service.cli(['object', 'put', '-', 'objs/piped.log'], { stdin: 'line 1\nline 2\n' });
    assert.equal(put.code, 0, describeRun(put));
    assert.equal(put.stdout, 'uploaded - -> objs/piped.log\n');
    const meta = await service.store.headObject({ bucket: 'objs', key: 'piped.log' });
    assert.equal(meta.size, 14);
    assert.equal(meta.contentType, 'application/octet-stream');
    const noKey = await service.cli(['object', 'put', '-', 'objs/dir/'], { stdin: 'x' });
    assert.equal(noKey.code, 2, describeRun(noKey));
  });

  it('exits 1 with NoSuchKey / NoSuchBucket and leaves no file behind', async () => {
    const dest = join(work, 'never.txt');
    const noKey = await service.cli(['object', 'get', 'objs/absent.txt', dest]);
    assert.equal(noKey.code, 1, describeRun(noKey));
    assert.match(noKey.stderr, /^s3gate: NoSuchKey: /);
    await assert.rejects(readFile(dest), { code: 'ENOENT' });
    const noBucket = await service.cli(['object', 'ls', 'no-such-bucket']);
    assert.equal(noBucket.code, 1, describeRun(noBucket));
    assert.match(noBucket.stderr, /^s3gate: NoSuchBucket: /);
    const put = await service.cli(['object', 'put', join(work, 'notes'), 'no-such-bucket/a']);
    assert.equal(put.code, 1, describeRun(put));
    assert.match(put.stderr, /^s3gate: NoSuchBucket: /);
    const rm = await service.cli(['object', 'rm', 'objs/absent.txt']);
    assert.equal(rm.code, 1, describeRun(rm));
    assert.match(rm.stderr, /^s3gate: NoSuchKey: /);
  });

  it('keeps awkward keys intact: spaces, unicode, ? # %, and dot segments', async () => {
    const file = join(work, 'awkward');
    await writeFile(file, 'awkward bytes');
    const key = 'we ird/../ünï 😀?#%25/./x';
    const put = await service.cli(['object', 'put', file, `objs/${key}`]);
    assert.equal(put.code, 0, describeRun(put));
    assert.equal((await service.store.headObject({ bucket: 'objs', key })).size, 13);
    const got = await service.cli(['object', 'get', `objs/${key}`, '-']);
    assert.equal(got.stdout, 'awkward bytes', describeRun(got));
    const rm = await service.cli(['object', 'rm', `objs/${key}`]);
    assert.equal(rm.code, 0, describeRun(rm));
  });

  it('copies and moves on the service, into a bucket or a folder', async () => {
    await putText(service, 'objs', 'src/a.txt', 'AAA');
    const cp = await service.cli(['object', 'cp', 'objs/src/a.txt', 'other']);
    assert.equal(cp.code, 0, describeRun(cp));
    assert.equal(cp.stdout, 'copied objs/src/a.txt -> other/a.txt\n');
    assert.equal((await service.store.headObject({ bucket: 'other', key: 'a.txt' })).size, 3);

    const mv = await service.cli(['object', 'mv', 'objs/src/a.txt', 'objs/dst/']);
    assert.equal(mv.code, 0, describeRun(mv));
    assert.equal(mv.stdout, 'moved objs/src/a.txt -> objs/dst/a.txt\n');
    await assert.rejects(service.store.headObject({ bucket: 'objs', key: 'src/a.txt' }), { code: 'NoSuchKey' });
    assert.equal((await service.store.headObject({ bucket: 'objs', key: 'dst/a.txt' })).size, 3);

    const renamed = await service.cli(['object', 'mv', 'objs/dst/a.txt', 'objs/dst/b.txt']);
    assert.equal(renamed.code, 0, describeRun(renamed));
    const missing = await service.cli(['object', 'cp', 'objs/dst/a.txt', 'other/z']);
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stderr, /^s3gate: NoSuchKey: /);
  });

  it('removes one object, or every object under a prefix taken as a folder', async () => {
    for (const key of ['tree/a', 'tree/b/c', 'tree/b/d', 'treehouse', 'keep']) await putText(service, 'objs', key, key);
    const one = await service.cli(['object', 'rm', 'objs/keep']);
    assert.equal(one.code, 0, describeRun(one));
    assert.equal(one.stdout, 'removed objs/keep\n');
    const many = await service.cli(['object', 'rm', '-r', 'objs/tree']);
    assert.equal(many.code, 0, describeRun(many));
    assert.equal(many.stdout, 'removed 3 object(s) under objs/tree/\n');
    assert.equal((await service.store.headObject({ bucket: 'objs', key: 'treehouse' })).size, 9, 'tree is a folder: treehouse stays');
  });
});
