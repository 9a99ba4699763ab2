/**
 * Benchmark: one large object up and down through REST API v1 on the fs store, against the ceiling of raw
 * file streaming over loopback measured in the same run, with the service's peak RSS.
 *
 *   node dist/bench/large-transfer.js [GiB=5]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { peakRss, spawnServer } from '../test/helpers/child-server.js';
import { tempDir } from '../test/helpers/server.js';

const GIB = 1024 ** 3;
const size = Math.round(Number(process.argv[2] ?? 5) * GIB);
const BLOCK = randomBytes(1024 * 1024);

/** `size` bytes of one random MiB repeated: costs the client almost nothing to produce. */
function source(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(BLOCK.length, size - sent);
      sent += n;
      this.push(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n));
    },
  });
}

function send(method: string, url: string, body?: Readable): Promise<{ status: number; bytes: number; seconds: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-length': size, 'content-type': 'application/octet-stream' } : {};
    const req = http.request(url, { method, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
      );
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function rawCeiling(dir: string): Promise<{ up: number; down: number }> {
  const script = fileURLToPath(new URL('./raw-file-server.js', import.meta.url));
  const proc = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) =>
      proc.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port)),
    );
    const url = `http://127.0.0.1:${port}/object`;
    const up = await send('PUT', url, source());
    const down = await send('GET', url);
    if (down.bytes !== size) throw new Error(`raw GET returned ${down.bytes} bytes`);
    return { up: size / up.seconds, down: size / down.seconds };
  } finally {
    proc.kill();
  }
}

async function throughS3gate(dir: string) {
  const server = await spawnServer({ S3GATE_DATA_DIR: join(dir, 'data'), S3GATE_MAX_OBJECT_SIZE: String(size + 1) });
  const pid = server.proc.pid ?? 0;
  try {
    const created = await send('PUT', `${server.url}/v1/buckets/bench`);
    if (created.status !== 201) throw new Error(`create bucket: ${created.status}`);
    const idle = await peakRss(pid);
    const url = `${server.url}/v1/buckets/bench/objects/large.bin`;
    const up = await send('PUT', url, source());
    if (up.status !== 201) throw new Error(`upload: ${up.status}`);
    const down = await send('GET', url);
    if (down.status !== 200 || down.bytes !== size) throw new Error(`download: ${down.status}, ${down.bytes} bytes`);
    return { up: size / up.seconds, down: size / down.seconds, idle, peak: await peakRss(pid) };
  } finally {
    server.proc.kill('SIGTERM');
    await server.exited;
  }
}

const dir = await tempDir('bench-large');
try {
  const raw = await rawCeiling(dir);
  await rm(join(dir, 'object.bin'), { force: true });
  const gate = await throughS3gate(dir);
  const mbs = (n: number) => (n / 1e6).toFixed(0);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(0);
  console.log(`large object, ${(size / GIB).toFixed(1)} GiB, fs store, loopback, node ${process.version}`);
  console.log('| transfer | s3gate v1 MB/s | raw file streaming MB/s | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| PUT (upload) | ${mbs(gate.up)} | ${mbs(raw.up)} | ${(gate.up / raw.up).toFixed(2)} |`);
  console.log(`| GET (download) | ${mbs(gate.down)} | ${mbs(raw.down)} | ${(gate.down / raw.down).toFixed(2)} |`);
  console.log(`service peak RSS: ${mib(gate.peak)} MiB (idle ${mib(gate.idle)} MiB; target ≤ 150 MB)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
