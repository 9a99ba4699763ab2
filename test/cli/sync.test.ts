/**
 * s3gate object sync, both ways, through a real service: only what differs is copied (checked on the
 * service's side: objects not re-written keep their lastModified, files keep their mtime), --delete,
 * --exclude, --dry-run, keys that cannot be file names, and interrupted runs resumed by running again.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';
import { adminKey, describeRun, putText, runCli, smallContent, startCli, startService, storedObjects, writeSmallFiles, type CliResult, type RunningCli, type Service } from './harness.js';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Relative path → content, for every file below a folder. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name).slice(root.length + 1), await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

/** key → "etag lastModified": what changes when an object is written again. */
async function versions(service: Service, bucket: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [key, o] of await storedObjects(service, bucket)) out.set(key, `${o.etag} ${o.lastModified.toISOString()}`);
  return out;
}

async function textOf(service: Service, bucket: string, key: string): Promise<string> {
  return (await readAll((await service.store.getObject({ bucket, key })).body)).toString();
}

const lines = (run: CliResult, verb: string) => run.stdout.split('\n').filter((l) => l.startsWith(`${verb} `));
const summaryOf = (run: CliResult) => run.stdout.trimEnd().split('\n').at(-1);

const TREE = {
  'a.txt': 'alpha',
  'empty.dat': '',
  'nested/deep/b.json': '{"b": 1}',
  'ünï 😀/c.md': '# c',
};

describe('s3gate object sync', () => {
  let service: Service;
  let work: string;
  before(async () => {
    service = await startService();
    work = await tempDir('cli-sync');
    for (const bucket of ['ups', 'down', 'del', 'evil']) await service.store.createBucket({ bucket });
  });
  after(() => service.stop());

  it('uploads a folder, then nothing the second time; a changed file of the same size and a new one are sent', async () => {
    const src = join(work, 'up-src');
    await writeTree(src, TREE);
    const first = await service.cli(['object', 'sync', src, 'ups/photos/x']);
    assert.equal(first.code, 0, describeRun(first));
    assert.ok(first.stdout.includes(`upload ${join(src, 'nested/deep/b.json')} -> ups/photos/x/nested/deep/b.json\n`), first.stdout);
    assert.equal(lines(first, 'upload').length, 4);
    assert.equal(summaryOf(first), 'synced: 4 uploaded, 0 unchanged, 0 deleted');
    assert.equal(await textOf(service, 'ups', 'photos/x/ünï 😀/c.md'), '# c');
    const stored = await versions(service, 'ups');
    assert.equal(stored.size, 4);

    const again = await service.cli(['object', 'sync', src, 'ups/photos/x']);
    assert.equal(again.code, 0, describeRun(again));
    assert.equal(again.stdout, 'synced: 0 uploaded, 4 unchanged, 0 deleted\n');
    assert.deepEqual(await versions(service, 'ups'), stored, 'no object written again');

    await writeFile(join(src, 'a.txt'), 'ALPHA'); // same size, other bytes: only the MD5 tells
    await writeFile(join(src, 'new.txt'), 'new');
    const third = await service.cli(['object', 'sync', src, 'ups/photos/x']);
    assert.equal(third.code, 0, describeRun(third));
    assert.deepEqual(lines(third, 'upload').sort(), [`upload ${join(src, 'a.txt')} -> ups/photos/x/a.txt`, `upload ${join(src, 'new.txt')} -> ups/photos/x/new.txt`]);
    assert.equal(summaryOf(third), 'synced: 2 uploaded, 3 unchanged, 0 deleted');
    assert.equal(await textOf(service, 'ups', 'photos/x/a.txt'), 'ALPHA');
    const now = await versions(service, 'ups');
    for (const key of ['photos/x/empty.dat', 'photos/x/nested/deep/b.json', 'photos/x/ünï 😀/c.md']) assert.equal(now.get(key), stored.get(key), key);
  });

  it('downloads a prefix, then nothing the second time; a changed object is fetched again', async () => {
    for (const [path, text] of Object.entries(TREE)) await putText(service, 'down', `p/${path}`, text);
    await putText(service, 'down', 'p/folder-marker/', '');
    await putText(service, 'down', 'other/not-this.txt', 'no');
    const dest = join(work, 'down-dest');
    const first = await service.cli(['object', 'sync', 'down/p', dest]);
    assert.equal(first.code, 0, describeRun(first));
    assert.ok(first.stdout.includes(`download down/p/a.txt -> ${join(dest, 'a.txt')}\n`), first.stdout);
    assert.equal(summaryOf(first), 'synced: 4 downloaded, 0 unchanged, 0 deleted');
    assert.deepEqual(await snapshot(dest), new Map(Object.entries(TREE)));
    const mtime = async (path: string) => (await stat(join(dest, path))).mtimeMs;
    const before = await Promise.all(Object.keys(TREE).map(mtime));

    const again = await service.cli(['object', 'sync', 'down/p/', dest]);
    assert.equal(again.code, 0, describeRun(again));
    assert.equal(again.stdout, 'synced: 0 downloaded, 4 unchanged, 0 deleted\n');
    assert.deepEqual(await Promise.all(Object.keys(TREE).map(mtime)), before, 'no file written again');

    await putText(service, 'down', 'p/a.txt', 'ALPHA');
    const third = await service.cli(['object', 'sync', 'down/p', dest]);
    assert.equal(third.code, 0, describeRun(third));
    assert.deepEqual(lines(third, 'download'), [`download down/p/a.txt -> ${join(dest, 'a.txt')}`]);
    assert.equal(await readFile(join(dest, 'a.txt'), 'utf8'), 'ALPHA');
    assert.deepEqual((await readdir(dest)).filter((name) => name.endsWith('.s3gate-part')), []);
  });

  it('with --delete removes what the source lacks, after the copies; --exclude keeps paths out; --dry-run changes nothing', async () => {
    const src = join(work, 'del-src');
    await writeTree(src, { 'a.txt': 'a', 'keep/c.txt': 'c', 'b.tmp': 'local tmp', 'cache/x/y.bin': 'cached' });
    await putText(service, 'del', 'm/extra/old.txt', 'old');
    await putText(service, 'del', 'm/x.tmp', 'remote tmp');
    const args = ['object', 'sync', '--delete', '--exclude', '*.tmp', '--exclude', 'cache', src, 'del/m'];
    const before = await versions(service, 'del');

    const dry = await service.cli([...args.slice(0, 2), '--dry-run', ...args.slice(2)]);
    assert.equal(dry.code, 0, describeRun(dry));
    assert.equal(
      dry.stdout,
      `(dry run) upload ${join(src, 'a.txt')} -> del/m/a.txt\n(dry run) upload ${join(src, 'keep/c.txt')} -> del/m/keep/c.txt\n` +
        '(dry run) delete del/m/extra/old.txt\ndry run: 2 to upload, 0 unchanged, 1 to delete; nothing changed\n',
    );
    assert.deepEqual(await versions(service, 'del'), before, 'the dry run changed nothing');

    const run = await service.cli(args);
    assert.equal(run.code, 0, describeRun(run));
    assert.deepEqual(lines(run, 'delete'), ['delete del/m/extra/old.txt']);
    assert.ok(run.stdout.indexOf('delete ') > run.stdout.lastIndexOf('upload '), 'deletes come after the copies');
    assert.equal(summaryOf(run), 'synced: 2 uploaded, 0 unchanged, 1 deleted');
    assert.deepEqual([...(await storedObjects(service, 'del')).keys()], ['m/a.txt', 'm/keep/c.txt', 'm/x.tmp']);

    // the other way: local extras go, excluded ones stay
    const dest = join(work, 'del-dest');
    await writeTree(dest, { 'a.txt': 'a', 'stale.txt': 'stale', 'deep/stale.txt': 'stale', 'y.tmp': 'mine' });
    const dryDown = await service.cli(['object', 'sync', '--dry-run', '--delete', '--exclude', '*.tmp', 'del/m', dest]);
    assert.equal(dryDown.code, 0, describeRun(dryDown));
    assert.equal(summaryOf(dryDown), 'dry run: 1 to download, 1 unchanged, 2 to delete; nothing changed');
    assert.equal((await snapshot(dest)).size, 4, 'the dry run changed nothing');
    const down = await service.cli(['object', 'sync', '--delete', '--exclude', '*.tmp', 'del/m', dest]);
    assert.equal(down.code, 0, describeRun(down));
    assert.deepEqual(lines(down, 'delete').sort(), [`delete ${join(dest, 'deep/stale.txt')}`, `delete ${join(dest, 'stale.txt')}`]);
    assert.equal(summaryOf(down), 'synced: 1 downloaded, 1 unchanged, 2 deleted');
    assert.deepEqual(await snapshot(dest), new Map([['a.txt', 'a'], ['keep/c.txt', 'c'], ['y.tmp', 'mine']]));
  });

  it('refuses keys that cannot be local file names, saves the rest, and exits 1', async () => {
    await putText(service, 'evil', 'd/ok.txt', 'fine');
    await putText(service, 'evil', 'd/../escape.txt', 'bad');
    await putText(service, 'evil', 'd//double.txt', 'bad');
    const dest = join(work, 'evil-out', 'inside');
    const run = await service.cli(['object', 'sync', 'evil/d', dest]);
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /not a safe local path: evil\/d\/\.\.\/escape\.txt/);
    assert.match(run.stderr, /not a safe local path: evil\/d\/\/double\.txt/);
    assert.deepEqual(await snapshot(join(work, 'evil-out')), new Map([[join('inside', 'ok.txt'), 'fine']]));
  });

  it('tells the sides apart, or says how to', async () => {
    const folder = join(work, 'up-src');
    const cases: Array<[string[], RegExp]> = [
      [[folder, join(work, 'x')], /both sides are local folders/],
      [['ups/photos', 'nowhere-yet'], /cannot tell which side is the local folder: write it as \.\/nowhere-yet/],
      [[join(work, 'missing'), 'ups/x'], /no such folder/],
      [[join(folder, 'a.txt'), 'ups/x'], /not a folder/],
      [['--exclude', '', folder, 'ups/x'], /empty pattern/],
    ];
    for (const [args, message] of cases) {
      const run = await service.cli(['object', 'sync', ...args], { cwd: work });
      assert.equal(run.code, 2, `${args.join(' ')}: ${describeRun(run)}`);
      assert.match(run.stderr, message);
    }
    // a bare name that is an existing folder is the local side
    const bare = await service.cli(['object', 'sync', 'up-src', 'ups/bare'], { cwd: work });
    assert.equal(bare.code, 0, describeRun(bare));
    assert.equal(summaryOf(bare), 'synced: 5 uploaded, 0 unchanged, 0 deleted');
  });
});

/** Stops a run at its first rate-limit pause (nothing is in flight then), the way `signal` stops it. */
async function interruptAtPause(run: RunningCli, signal: NodeJS.Signals): RunningCli['result'] {
  await run.until((out) => out.stderr.includes('s3gate: rate limited'));
  run.child.kill(signal);
  return run.result;
}

describe('s3gate object sync, interrupted and run again', () => {
  const { key, token } = adminKey('syncer');
  const env = { S3GATE_TOKEN: token };
  const COUNT = 120;
  let service: Service;
  let work: string;
  before(async () => {
    // 40 requests per 2 s: a run of 120 files pauses after its first 40 requests
    service = await startService({ auth: { keys: [key] }, rateLimit: { perKey: 40, windowMs: 2000 } });
    work = await tempDir('cli-sync-resume');
    await service.store.createBucket({ bucket: 'resume' });
  });
  after(() => service.stop());

  it('an upload killed midway sends only the rest when run again', async () => {
    const src = join(work, 'src');
    await writeSmallFiles(src, COUNT);
    const killed = await interruptAtPause(startCli(['object', 'sync', src, 'resume/up'], { endpoint: service.url, env }), 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', describeRun(killed));
    // uploads the service had taken in whole when the client died may still be committing: wait for quiet
    let arrived = await versions(service, 'resume');
    for (let previous = -1; previous !== arrived.size; ) {
      previous = arrived.size;
      await new Promise((resolve) => setTimeout(resolve, 300));
      arrived = await versions(service, 'resume');
    }
    assert.ok(arrived.size > 0 && arrived.size < COUNT, `${arrived.size} of ${COUNT} arrived before the kill`);

    const resumed = await service.cli(['object', 'sync', src, 'resume/up'], { env });
    assert.equal(resumed.code, 0, describeRun(resumed));
    assert.equal(lines(resumed, 'upload').length, COUNT - arrived.size);
    assert.equal(summaryOf(resumed), `synced: ${COUNT - arrived.size} uploaded, ${arrived.size} unchanged, 0 deleted`);
    const now = await versions(service, 'resume');
    assert.equal(now.size, COUNT);
    for (const [k, version] of arrived) assert.equal(now.get(k), version, `${k} was not sent again`);
  });

  it('a download stopped by Ctrl-C leaves no partial file and fetches only the rest when run again', async () => {
    for (let i = 0; i < COUNT; i++) await putText(service, 'resume', `down/f${String(i).padStart(3, '0')}.txt`, smallContent(i));
    const dest = join(work, 'dest');
    const stopped = await interruptAtPause(startCli(['object', 'sync', 'resume/down', dest], { endpoint: service.url, env }), 'SIGINT');
    assert.equal(stopped.code, 130, describeRun(stopped));
    const names = await readdir(dest);
    assert.deepEqual(names.filter((n) => !/^f\d{3}\.txt$/.test(n)), [], 'only whole files, no temporary ones');
    assert.ok(names.length > 0 && names.length < COUNT, `${names.length} of ${COUNT} saved before Ctrl-C`);

    const resumed = await service.cli(['object', 'sync', 'resume/down', dest], { env });
    assert.equal(resumed.code, 0, describeRun(resumed));
    assert.equal(summaryOf(resumed), `synced: ${COUNT - names.length} downloaded, ${names.length} unchanged, 0 deleted`);
    const files = await snapshot(dest);
    assert.equal(files.size, COUNT);
    for (let i = 0; i < COUNT; i++) assert.equal(files.get(`f${String(i).padStart(3, '0')}.txt`), smallContent(i));
  });
});

describe('s3gate object sync against ETags that are not MD5s (a stub service)', () => {
  // what the s3 store lists for a multipart upload: "<md5 of the part MD5s>-<parts>"; the fs store never does
  const objects = [
    { key: 'p/multi.bin', size: 5, etag: '"0123456789abcdef0123456789abcdef-2"', lastModified: new Date().toISOString() },
    { key: 'p/single.bin', size: 5, etag: `"${createHash('md5').update('hello').digest('hex')}"`, lastModified: new Date().toISOString() },
  ];
  let server: http.Server;
  let url: string;
  const requests: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/v1/buckets/b/objects?prefix=p%2F') json({ objects: objects.slice(0, 1), folders: [], isTruncated: true, nextCursor: 'page-2' });
      else if (req.url === '/v1/buckets/b/objects?prefix=p%2F&cursor=page-2') json({ objects: objects.slice(1), folders: [], isTruncated: false });
      else if (req.url === '/v1/buckets/b/objects/p/single.bin') res.writeHead(200, { 'content-length': '5' }).end('hello');
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error": {"code": "NoSuchKey", "message": "no"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('compares those by size only, says so, and still compares MD5s where it can (across listing pages)', async () => {
    const dest = join(await tempDir('cli-sync-etag'), 'dest');
    await writeTree(dest, { 'multi.bin': 'xxxxx', 'single.bin': 'hello' });
    const same = await runCli(['object', 'sync', 'b/p', dest], { endpoint: url });
    assert.equal(same.code, 0, describeRun(same));
    assert.equal(same.stdout, 'synced: 0 downloaded, 2 unchanged (1 compared by size only), 0 deleted\n');
    assert.deepEqual(requests.splice(0), ['GET /v1/buckets/b/objects?prefix=p%2F', 'GET /v1/buckets/b/objects?prefix=p%2F&cursor=page-2']);

    await writeFile(join(dest, 'single.bin'), 'HELLO');
    const changed = await runCli(['object', 'sync', 'b/p', dest], { endpoint: url });
    assert.equal(changed.code, 0, describeRun(changed));
    assert.equal(summaryOf(changed), 'synced: 1 downloaded, 1 unchanged (1 compared by size only), 0 deleted');
    assert.equal(await readFile(join(dest, 'single.bin'), 'utf8'), 'hello');
    assert.equal(await readFile(join(dest, 'multi.bin'), 'utf8'), 'xxxxx', 'same size, not an MD5: left alone');
  });
});
