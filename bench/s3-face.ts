/**
 * The S3-compatible face against v1 on the same s3gate (fs store, one access key), and against s3rver and
 * Ceph RGW (the test server, where one runs) driven by the same light client with the same SigV4 signing:
 * 4 KiB PUT and GET ops/s, a 1 GiB PUT as STREAMING-AWS4-HMAC-SHA256-PAYLOAD against v1's 1 GiB PUT (each in
 * a fresh process, with its peak RSS), and a 1,000-key ListObjectsV2 page against v1's listing page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MetaDb } from '../src/storage/fs/db.js';
import { openFsStore } from '../src/storage/fs/index.js';
import { indexOnlyRow } from '../test/helpers/rows.js';
import { s3TestConfig } from '../test/helpers/s3-test-server.js';
import { startChild, startS3gate, type Child } from './lib/children.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { medianMs, peakRss, repeatedSource } from './lib/measure.js';
import { LightSigner, type SigningKeyPair } from './lib/sigv4-sign.js';

const BODY = randomBytes(4096);
const BODY_SHA256 = createHash('sha256').update(BODY).digest('hex');
const CONCURRENCY = 32;
const KEY = { id: 'BENCHKEY0000000000', secret: 'bench-secret-0123456789abcdefghij' };
const SELF: SigningKeyPair = { accessKeyId: KEY.id, secretAccessKey: KEY.secret, region: 'us-east-1' };
const BEARER = { authorization: `Bearer ${KEY.id}.${KEY.secret}` };

export interface SmallPair {
  put: LoadResult;
  get: LoadResult;
}

export interface S3FaceResult {
  v1: SmallPair;
  s3: SmallPair;
  s3rver: SmallPair;
  rgw: SmallPair | { skipped: string };
  large: { size: number; v1: { put: number; peakRss: number }; s3: { put: number; peakRss: number } };
  listing: { v1PageMs: number; s3PageMs: number };
}

/** 4 KiB PUTs then GETs of what was put, each request signed by `signer` (bucket `bucket` on `origin`). */
async function signedSmall(origin: string, bucket: string, pair: SigningKeyPair, durationMs: number): Promise<SmallPair> {
  const signer = new LightSigner(pair);
  const host = new URL(origin).host;
  const path = (i: number) => `/${bucket}/k-${i}`;
  const common = { origin, concurrency: CONCURRENCY, durationMs };
  const put = await runLoad({
    ...common,
    method: 'PUT',
    path,
    body: BODY,
    headers: (i) => signer.sign('PUT', host, path(i), BODY_SHA256, { 'content-type': 'application/octet-stream' }).headers,
  });
  const written = Math.max(1, put.ops);
  const get = await runLoad({ ...common, method: 'GET', path: (i) => path(i % written), headers: (i) => signer.sign('GET', host, path(i % written), 'UNSIGNED-PAYLOAD').headers });
  return { put, get };
}

async function v1Small(origin: string, durationMs: number): Promise<SmallPair> {
  const path = (i: number) => `/v1/buckets/bench/objects/k-${i}`;
  const common = { origin, concurrency: CONCURRENCY, durationMs };
  const put = await runLoad({ ...common, method: 'PUT', path, body: BODY, headers: { ...BEARER, 'content-type': 'application/octet-stream' } });
  const written = Math.max(1, put.ops);
  const get = await runLoad({ ...common, method: 'GET', path: (i) => path(i % written), headers: BEARER });
  return { put, get };
}

/** An s3gate with the one key, its rate limits off (one client on one address and one key is the point). */
async function keyedGate(dir: string, name: string, extra: Record<string, string> = {}): Promise<Child> {
  const keysFile = join(dir, `${name}-keys.json`);
  await writeFile(keysFile, JSON.stringify({ keys: [{ id: KEY.id, secret: KEY.secret, grants: [{ bucket: '*', actions: ['admin'] }] }] }));
  await chmod(keysFile, 0o600);
  const gate = await startS3gate({ S3GATE_DATA_DIR: join(dir, name), S3GATE_KEYS_FILE: keysFile, S3GATE_RATE_LIMIT_PER_KEY: '0', ...extra });
  const made = await fetch(`${gate.origin}/v1/buckets/bench`, { method: 'PUT', headers: BEARER });
  if (!made.ok && made.status !== 409) throw new Error(`creating the bench bucket: ${made.status}`); // 409: made beforehand
  return gate;
}


function put(url: string, headers: Record<string, string>, body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => ((res.statusCode ?? 0) >= 300 ? reject(new Error(`PUT ${url}: ${res.statusCode} ${text}`)) : resolve()));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}


/** One PUT of `size` bytes in a fresh s3gate; bytes per second and the process's peak RSS. */
async function largePut(dir: string, name: string, size: number, s3: boolean): Promise<{ put: number; peakRss: number }> {
  const gate = await keyedGate(dir, name, { S3GATE_MAX_OBJECT_SIZE: String(size + 1) });
  try {
    const started = performance.now();
    if (s3) {
      const origin = gate.s3Origin ?? '';
      const { headers, body } = new LightSigner(SELF).signedChunks(new URL(origin).host, '/bench/large.bin', size, repeatedSource(size), 64 * 1024);
      await put(`${origin}/bench/large.bin`, headers, body);
    } else {
      await put(`${gate.origin}/v1/buckets/bench/objects/large.bin`, { ...BEARER, 'content-length': String(size) }, repeatedSource(size));
    }
    return { put: size / ((performance.now() - started) / 1000), peakRss: await peakRss(gate.proc.pid) };
  } finally {
    await gate.stop();
  }
}


/** A 1,000-key page through each face, over 10,000 keys put straight into the index. */
async function listingPages(dir: string): Promise<S3FaceResult['listing']> {
  const dataDir = join(dir, 'listing');
  const setup = await openFsStore({ dataDir, durable: false });
  await setup.createBucket({ bucket: 'bench' });
  await setup.close();
  const db = MetaDb.open(join(dataDir, 'meta.sqlite'), false, dataDir);
  db.insertUnchecked((function* () {
    for (let i = 0; i < 10_000; i++) yield indexOnlyRow('bench', `k-${String(i).padStart(6, '0')}`);
  })());
  db.close();
  const gate = await keyedGate(dir, 'listing');
  try {
    const signer = new LightSigner(SELF);
    const s3Origin = gate.s3Origin ?? '';
    const check = async (res: Response) => {
      const text = await res.text();
      if (!res.ok) throw new Error(`listing: ${res.status} ${text.slice(0, 200)}`);
    };
    const v1 = () => fetch(`${gate.origin}/v1/buckets/bench/objects?limit=1000`, { headers: BEARER }).then(check);
    const s3 = () => {
      const { headers } = signer.sign('GET', new URL(s3Origin).host, '/bench', 'UNSIGNED-PAYLOAD', {}, 'list-type=2&max-keys=1000');
      return fetch(`${s3Origin}/bench?list-type=2&max-keys=1000`, { headers }).then(check);
    };
    await v1();
    await s3();
    return { v1PageMs: await medianMs(21, v1), s3PageMs: await medianMs(21, s3) };
  } finally {
    await gate.stop();
  }
}

/** 4 KiB PUT and GET: v1 and the S3 face on one s3gate, then s3rver and RGW with the same client and signing. */
export async function benchS3Small(dir: string, durationMs = 4000): Promise<Pick<S3FaceResult, 'v1' | 's3' | 's3rver' | 'rgw'>> {
  const gate = await keyedGate(dir, 'small');
  let v1: SmallPair;
  let s3: SmallPair;
  try {
    v1 = await v1Small(gate.origin, durationMs);
    s3 = await signedSmall(gate.s3Origin ?? '', 'bench', SELF, durationMs);
  } finally {
    await gate.stop();
  }
  const s3rverDir = join(dir, 's3rver-face');
  await mkdir(s3rverDir, { recursive: true });
  const peer = await startChild('s3rver-server.js', [s3rverDir, 'bench'], ['--openssl-legacy-provider']);
  let s3rver: SmallPair;
  try {
    s3rver = await signedSmall(peer.origin, 'bench', { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' }, durationMs);
  } finally {
    await peer.stop();
  }
  return { v1, s3, s3rver, rgw: await rgwSmall(durationMs) };
}

/** One large PUT through each face, each in a fresh process. */
export async function benchS3Large(dir: string, size: number): Promise<S3FaceResult['large']> {
  return { size, v1: await largePut(dir, 'large-v1', size, false), s3: await largePut(dir, 'large-s3', size, true) };
}

export { listingPages as benchS3Listing };

async function rgwSmall(durationMs: number): Promise<SmallPair | { skipped: string }> {
  const config = s3TestConfig({ ...process.env, CI: undefined });
  if ('skip' in config) return { skipped: 'no RGW: scripts/start-radosgw.sh' };
  const { endpoint, accessKeyId, secretAccessKey } = config.options;
  if (!endpoint || !accessKeyId || !secretAccessKey) return { skipped: 'the RGW settings are incomplete' };
  const pair = { accessKeyId, secretAccessKey, region: 'us-east-1' };
  const bucket = `bench-face-${Date.now().toString(36)}`;
  const { headers } = new LightSigner(pair).sign('PUT', new URL(endpoint).host, `/${bucket}`, 'UNSIGNED-PAYLOAD');
  const made = await fetch(`${endpoint}/${bucket}`, { method: 'PUT', headers });
  if (!made.ok) return { skipped: `RGW refused the bench bucket: ${made.status}` };
  return signedSmall(endpoint, bucket, pair, durationMs);
}
