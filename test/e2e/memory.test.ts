/**
 * Bodies stream: a 1 GiB upload and download through the tutorial API must not raise the service's
 * peak memory (VmHWM, measured from outside the process) by more than 100 MB.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { peakRss, spawnServer } from '../helpers/child-server.js';
import { tempDir } from '../helpers/server.js';

const GIB = 1024 ** 3;
const ALLOWED_GROWTH = 100 * 1024 * 1024;

/** 1 GiB made of one random MiB repeated: cheap to produce, and its MD5 is computed as it goes. */
function gibibyte(): { stream: Readable; md5: () => string } {
  const block = randomBytes(1024 * 1024);
  const hash = createHash('md5');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= GIB) return void this.push(null);
      sent += block.length;
      hash.update(block);
      this.push(block);
    },
  });
  return { stream, md5: () => hash.digest('hex') };
}

function upload(url: string, body: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-length': GIB } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

describe('memory while streaming 1 GiB', () => {
  it('keeps the service within 100 MB of its idle peak', async () => {
    const dir = await tempDir('memory');
    const server = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'data') });
    const pid = server.proc.pid;
    assert.ok(pid);
    try {
      await (await request(`${server.url}/amazons3/imageStore/big`, { method: 'POST' })).body.dump();
      const idle = await peakRss(pid);

      const source = gibibyte();
      assert.equal(await upload(`${server.url}/amazons3/imageStore/big/one.bin`, source.stream), 200);
      const afterUpload = await peakRss(pid);

      const res = await request(`${server.url}/amazons3/imageStore/big/one.bin`);
      assert.equal(res.statusCode, 200);
      const hash = createHash('md5');
      let received = 0;
      for await (const chunk of res.body) {
        received += chunk.length;
        hash.update(chunk);
      }
      assert.equal(received, GIB);
      assert.equal(hash.digest('hex'), source.md5());
      const afterDownload = await peakRss(pid);

      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      process.stdout.write(
        `# peak RSS: idle ${mb(idle)}, after 1 GiB upload ${mb(afterUpload)}, after download ${mb(afterDownload)}\n`,
      );
      assert.ok(afterUpload - idle < ALLOWED_GROWTH, `upload raised peak RSS by ${mb(afterUpload - idle)}`);
      assert.ok(afterDownload - idle < ALLOWED_GROWTH, `download raised peak RSS by ${mb(afterDownload - idle)}`);
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
