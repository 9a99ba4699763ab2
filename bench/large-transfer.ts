/**
 * One large object up and down through REST API v1 on the fs store, against raw file streaming over loopback
 * (bench/raw-file-server.ts, the ceiling) measured in the same run, with the service's peak RSS.
 */
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { startChild, startS3gate } from './lib/children.js';
import { peakRss, repeatedSource } from './lib/measure.js';


export interface LargeResult {
  size: number;
  gate: { put: number; get: number; idleRss: number; peakRss: number };
  raw: { put: number; get: number };
}


/** Bytes per second of one request; the body (if any) is `size` bytes, the answer is drained and counted. */
function transfer(method: string, url: string, size: number, upload: boolean): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = upload ? { 'content-length': size, 'content-type': 'application/octet-stream' } : {};
    const req = http.request(url, { method, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${method} ${url}: ${res.statusCode}`));
        if (!upload && bytes !== size) return reject(new Error(`${method} ${url}: ${bytes} of ${size} bytes`));
        resolve(size / ((performance.now() - started) / 1000));
      });
    });
    req.on('error', reject);
    if (upload) repeatedSource(size).pipe(req);
    else req.end();
  });
}


export async function benchLargeTransfer(dir: string, size: number): Promise<LargeResult> {
  const rawServer = await startChild('raw-file-server.js', [dir]);
  let raw: LargeResult['raw'];
  try {
    const url = `${rawServer.origin}/object`;
    raw = { put: await transfer('PUT', url, size, true), get: await transfer('GET', url, size, false) };
  } finally {
    await rawServer.stop();
    await rm(join(dir, 'object.bin'), { force: true });
  }
  const gate = await startS3gate({ S3GATE_DATA_DIR: join(dir, 'gate'), S3GATE_MAX_OBJECT_SIZE: String(size + 1) });
  try {
    await fetch(`${gate.origin}/v1/buckets/bench`, { method: 'PUT' });
    const idleRss = await peakRss(gate.proc.pid);
    const url = `${gate.origin}/v1/buckets/bench/objects/large.bin`;
    const put = await transfer('PUT', url, size, true);
    const get = await transfer('GET', url, size, false);
    return { size, raw, gate: { put, get, idleRss, peakRss: await peakRss(gate.proc.pid) } };
  } finally {
    await gate.stop();
    await rm(join(dir, 'gate'), { recursive: true, force: true });
  }
}
