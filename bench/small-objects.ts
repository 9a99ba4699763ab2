/**
 * Small objects (4 KiB): PUT then GET ops/s, 32 concurrent, through REST API v1 on the fs store, against a
 * minimal Node file server with the same durability (the ceiling) and against s3rver, driven by one client.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startChild, startS3gate, type Child } from './lib/children.js';
import { runLoad, type LoadResult } from './lib/load.js';

const BODY = randomBytes(4096);
const CONCURRENCY = 32;

export interface SmallResult {
  name: string;
  put: LoadResult;
  get: LoadResult;
}

async function measure(name: string, child: Child, pathOf: (i: number) => string, durationMs: number): Promise<SmallResult> {
  try {
    const common = { origin: child.origin, concurrency: CONCURRENCY, durationMs };
    const put = await runLoad({ ...common, method: 'PUT', path: pathOf, body: BODY, headers: { 'content-type': 'application/octet-stream' } });
    const written = Math.max(1, put.ops);
    const get = await runLoad({ ...common, method: 'GET', path: (i) => pathOf(i % written) });
    return { name, put, get };
  } finally {
    await child.stop();
  }
}

export async function benchSmallObjects(dir: string, durationMs = 4000): Promise<SmallResult[]> {
  const gate = await startS3gate({ S3GATE_DATA_DIR: join(dir, 'gate') });
  await fetch(`${gate.origin}/v1/buckets/bench`, { method: 'PUT' });
  const results = [await measure('s3gate v1 (fs)', gate, (i) => `/v1/buckets/bench/objects/k-${i}`, durationMs)];
  const raw = await startChild('raw-small-server.js', [await made(join(dir, 'raw'))]);
  results.push(await measure('minimal Node file server', raw, (i) => `/k-${i}`, durationMs));
  const s3rver = await startChild('s3rver-server.js', [await made(join(dir, 's3rver')), 'bench'], ['--openssl-legacy-provider']);
  results.push(await measure('s3rver 3.7', s3rver, (i) => `/bench/k-${i}`, durationMs));
  return results;
}

async function made(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}
