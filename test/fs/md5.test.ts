/** The MD5 of blob files is computed on a worker thread (md5-pool.ts): right under concurrency, clear on failure, never keeping a process alive. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '../../src/errors/codes.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { Md5Job } from '../../src/storage/fs/md5-pool.js';
import { runScriptToEnd } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';

const md5Etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
/** The body in chunks of odd sizes, so that slab boundaries fall inside chunks. */
const chunked = (data: Buffer, size = 50_001) =>
  Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

let dir: string;
before(async () => {
  dir = await tempDir('md5');
});
after(() => rm(dir, { recursive: true, force: true }));

describe('MD5 on the worker thread', () => {
  it('gives each of many concurrent uploads the MD5 of its own bytes', async () => {
    const store = await openFsStore({ dataDir: join(dir, 'store') });
    await store.createBucket({ bucket: 'bkt' });
    const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(100_000 + i * 400_000)); // 0.1 to 2.9 MB
    const metas = await Promise.all(bodies.map((data, i) => store.putObject({ bucket: 'bkt', key: `k${i}`, body: chunked(data) })));
    metas.forEach((meta, i) => assert.equal(meta.etag, md5Etag(bodies[i] as Buffer), `k${i}`));
    for (const [i, data] of bodies.entries()) assert.equal((await store.headObject({ bucket: 'bkt', key: `k${i}` })).etag, md5Etag(data));
    await store.close();
  });

  it('refuses a digest past the end of the file with a clear error', async () => {
    const path = join(dir, 'short');
    await writeFile(path, 'twelve bytes');
    const fh = await open(path, 'r');
    try {
      const job = new Md5Job(fh.fd);
      job.written(12);
      await assert.rejects(job.digest(20), (err: unknown) => {
        assert.ok(isServiceError(err));
        assert.equal(err.code, 'InternalError');
        assert.match(err.message, /could not hash/);
        assert.match(String((err.cause as Error).message), /ended at 12 bytes, before 20/);
        return true;
      });
      const right = new Md5Job(fh.fd);
      assert.equal(`"${await right.digest(12)}"`, md5Etag(Buffer.from('twelve bytes')));
    } finally {
      await fh.close();
    }
  });

  it('does not keep a process alive once its upload is done, whether it failed or not', async () => {
    const index = new URL('../../src/storage/fs/index.js', import.meta.url).href;
    // argv[1] "fail": the body fails after 2 MiB, so the job is dropped and no digest is ever asked for
    const script = `
      import { Readable } from 'node:stream';
      const { openFsStore } = await import(${JSON.stringify(index)});
      const store = await openFsStore({ dataDir: process.argv[2], durable: false });
      await store.createBucket({ bucket: 'bkt' });
      const fail = process.argv[1] === 'fail';
      const body = Readable.from((async function* () {
        yield Buffer.alloc(3 << 20, 7);
        if (fail) throw new Error('client gone');
      })());
      const outcome = await store.putObject({ bucket: 'bkt', key: 'big', body }).then((meta) => meta.etag, (err) => err.code);
      await store.close();
      console.log(outcome);`;
    const run = (mode: string) => runScriptToEnd(script, [mode, join(dir, `child-${mode}`)]);
    assert.equal((await run('ok')).trim(), md5Etag(Buffer.alloc(3 << 20, 7)), 'hashed, then the process ended by itself');
    assert.equal((await run('fail')).trim(), 'IncompleteBody', 'refused, then the process ended by itself');
  });
});
