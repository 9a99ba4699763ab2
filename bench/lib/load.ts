/**
 * A light load generator: `concurrency` workers on one undici Pool, each sending requests back to back for
 * `durationMs`. Light on purpose (the AWS SDK as a client caps near 1.3–1.9k req/s on these machines).
 */
import { Pool } from 'undici';

export interface LoadSpec {
  origin: string;
  method: 'GET' | 'PUT';
  /** Path of the i-th request (workers share one counter). */
  path: (i: number) => string;
  body?: Buffer | undefined;
  /** The same for every request, or made per request (a signature). */
  headers?: Record<string, string> | ((i: number) => Record<string, string>) | undefined;
  concurrency: number;
  durationMs: number;
}

export interface LoadResult {
  ops: number;
  errors: number;
  opsPerSec: number;
  /** The first failure seen, to explain a non-zero error count. */
  firstError?: string | undefined;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(spec.origin, { connections: spec.concurrency, pipelining: 1 });
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      try {
        const headers = typeof spec.headers === 'function' ? spec.headers(i) : spec.headers;
        const res = await pool.request({ method: spec.method, path: spec.path(i), body: spec.body, headers });
        await res.body.dump();
        if (res.statusCode >= 300) {
          errors++;
          firstError ??= `${spec.method} ${spec.path(i)} → ${res.statusCode}`;
        } else ops++;
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { ops, errors, opsPerSec: ops / seconds, firstError };
}
