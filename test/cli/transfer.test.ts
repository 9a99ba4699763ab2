/** Recursive put and get of a folder tree, byte for byte; progress only on a terminal. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { CLI, describeRun, putText, startService, type Service } from './harness.js';

/** Relative path → content, for every file below a folder. */
async function snapshot(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path), await readFile(path));
  }
  return files;
}

const TREE: Record<string, Buffer> = {
  'a.txt': Buffer.from('alpha\n'),
  'empty.dat': Buffer.alloc(0),
  'space name.md': Buffer.from('# title\n'),
  'ünïcödé/日本語 ファイル.txt': Buffer.from('こんにちは\n'),
  '😀/x.json': Buffer.from('{"x": [1, 2]}'),
  'nested/deeper/deepest/big.bin': randomBytes(3 * 1024 * 1024 + 17),
};

describe('s3gate object put/get --recursive', () => {
  let service: Service;
  let work: string;
  let album: string;
  before(async () => {
    service = await startService();
    work = await tempDir('cli-transfer');
    album = join(work, 'album');
    for (const [path, bytes] of Object.entries(TREE)) {
      await mkdir(dirname(join(album, path)), { recursive: true });
      await writeFile(join(album, path), bytes);
    }
    await service.store.createBucket({ bucket: 'tree' });
  });
  after(() => service.stop());

  it('uploads a folder tree under a prefix and downloads it back byte-identical, without progress off a terminal', async () => {
    const put = await service.cli(['object', 'put', '--recursive', album, 'tree/backup']);
    assert.equal(put.code, 0, describeRun(put));
    assert.equal(put.stderr, '', 'no progress output when stderr is not a terminal');
    assert.equal(put.stdout.trimEnd().split('\n').length, Object.keys(TREE).length);

    const listed = await service.cli(['object', 'ls', '-r', '--json', 'tree']);
    const keys = listed.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
    assert.deepEqual(new Set(keys), new Set(Object.keys(TREE).map((p) => `backup/${p}`)));
    assert.match((await service.store.headObject({ bucket: 'tree', key: 'backup/a.txt' })).contentType, /^text\/plain/);

    const out = join(work, 'restored');
    const get = await service.cli(['object', 'get', '-r', 'tree/backup', out]);
    assert.equal(get.code, 0, describeRun(get));
    assert.equal(get.stderr, '');
    assert.deepEqual(await snapshot(out), new Map(Object.entries(TREE)));
  });

  it('refuses a folder without --recursive, and a missing source, with exit 2', async () => {
    const folder = await service.cli(['object', 'put', album, 'tree/x']);
    assert.equal(folder.code, 2, describeRun(folder));
    assert.match(folder.stderr, /--recursive/);
    const missing = await service.cli(['object', 'put', join(work, 'nope'), 'tree/x']);
    assert.equal(missing.code, 2, describeRun(missing));
    const prefixGet = await service.cli(['object', 'get', 'tree/backup/', join(work, 'x')]);
    assert.equal(prefixGet.code, 2, describeRun(prefixGet));
  });

  it('never writes outside the target folder for keys like ../x, and says so with exit 1', async () => {
    await service.store.createBucket({ bucket: 'evil' });
    await putText(service, 'evil', 'd/ok.txt', 'fine');
    await putText(service, 'evil', 'd/../escape.txt', 'bad');
    await putText(service, 'evil', 'd//double.txt', 'bad');
    const out = join(work, 'evil-out', 'inside');
    const get = await service.cli(['object', 'get', '-r', 'evil/d', out]);
    assert.equal(get.code, 1, describeRun(get));
    assert.match(get.stderr, /not a safe local path: evil\/d\/\.\.\/escape\.txt/);
    assert.equal(await readFile(join(out, 'ok.txt'), 'utf8'), 'fine');
    assert.equal(existsSync(join(work, 'evil-out', 'escape.txt')), false);
    assert.deepEqual([...(await snapshot(join(work, 'evil-out'))).keys()], [join('inside', 'ok.txt')]);
  });

  it('draws progress bars on a terminal, and not with --quiet', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pty' }, async () => {
    const big = join(album, 'nested/deeper/deepest/big.bin');
    // script(1) gives the CLI a pseudo-terminal for stdout and stderr; async: the service runs in this process
    const inPty = async (extra: string) => {
      const command = `${process.execPath} ${CLI} ${extra} object put '${big}' tree/pty.bin`;
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { PATH: process.env['PATH'], S3GATE_ENDPOINT: service.url, TERM: 'xterm' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, output };
    };
    const shown = await inPty('');
    assert.equal(shown.code, 0, shown.output);
    assert.match(shown.output, /100%/, 'a bar reached 100%');
    assert.match(shown.output, /uploaded .* -> tree\/pty\.bin/);
    const quiet = await inPty('--quiet');
    assert.equal(quiet.code, 0, quiet.output);
    assert.equal(quiet.output, '');
  });
});
