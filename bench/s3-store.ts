/**
 * The s3 store: a 64 MiB object PUT and GET through s3gate (REST API v1, s3 store) against the AWS SDK
 * talking to the same S3-compatible server directly (lib-storage Upload and GetObject), in the same run:
 * the median of three rounds that alternate between the two, after one uncounted warm-up round.
 * Needs S3GATE_TEST_S3_ENDPOINT (scripts/start-radosgw.sh); without it the row says why it is missing.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { createS3Client } from '../src/storage/s3/client.js';
import { s3TestConfig } from '../test/helpers/s3-test-server.js';
import { startS3gate } from './lib/children.js';

const SIZE = 64 * 1024 * 1024;
const DATA = randomBytes(SIZE);

export type S3StoreResult = { skipped: string } | { gate: { put: number; get: number }; direct: { put: number; get: number } };

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return SIZE / ((performance.now() - t0) / 1000);
}

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body);
}

/** Rounds of each measurement, alternating direct and through s3gate: a single transfer on a shared machine is noise. */
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function benchS3Store(): Promise<S3StoreResult> {
  const s3 = s3TestConfig({ ...process.env, CI: undefined });
  if ('skip' in s3) return { skipped: 'no S3 endpoint (run scripts/start-radosgw.sh)' };
  const bucket = `bench-${Date.now().toString(36)}`;
  const { options } = s3;
  const client = createS3Client(options);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const gate = await startS3gate({
    S3GATE_STORE: 's3',
    S3GATE_S3_ENDPOINT: options.endpoint ?? '',
    S3GATE_S3_FORCE_PATH_STYLE: 'true',
    S3GATE_S3_ACCESS_KEY_ID: options.accessKeyId ?? '',
    S3GATE_S3_SECRET_ACCESS_KEY: options.secretAccessKey ?? '',
  });
  const direct = { put: [] as number[], get: [] as number[] };
  const viaGate = { put: [] as number[], get: [] as number[] };
  try {
    // round 0 warms both paths up (JIT, connections, RGW's caches) and is not counted
    for (let round = 0; round <= ROUNDS; round++) {
      const key = `direct-${round}`;
      const url = `${gate.origin}/v1/buckets/${bucket}/objects/through-gate-${round}`;
      const directPut = await timed(() =>
        new Upload({ client, partSize: options.partSize, queueSize: options.queueSize, params: { Bucket: bucket, Key: key, Body: Readable.from([DATA]) } }).done(),
      );
      const gatePut = await timed(async () => {
        const res = await request(url, { method: 'PUT', body: DATA, headers: { 'content-length': String(SIZE) } });
        await res.body.dump();
        if (res.statusCode !== 201) throw new Error(`PUT through s3gate: ${res.statusCode}`);
      });
      const directGet = await timed(async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await drain(out.Body as AsyncIterable<unknown>);
      });
      const gateGet = await timed(async () => drain((await request(url)).body));
      if (round === 0) continue;
      direct.put.push(directPut);
      direct.get.push(directGet);
      viaGate.put.push(gatePut);
      viaGate.get.push(gateGet);
    }
    await request(`${gate.origin}/v1/buckets/${bucket}?force=true`, { method: 'DELETE' }).then((r) => r.body.dump());
    return {
      gate: { put: median(viaGate.put), get: median(viaGate.get) },
      direct: { put: median(direct.put), get: median(direct.get) },
    };
  } finally {
    await gate.stop();
    client.destroy();
  }
}
