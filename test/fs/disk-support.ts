/** What the full-disk tests share: settings, a probe for mounting, waits, and the checks of a 507. */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { until } from '../helpers/until.js';
import type { Answer } from '../http/v1-support.js';

export const MIB = 1024 ** 2;
/** The file system of each suite, and what the store keeps on it. */
export const TMPFS_MIB = 48;
export const FLOOR = 8 * MIB;
export const RESERVE = 4 * MIB;

/** Why the suites cannot run here (mounting needs root), or false; in CI, a failure instead. */
export async function mountProblem(): Promise<string | false> {
  const probe = await mountTmpfs(1);
  if ('skip' in probe) {
    // CI runs as root: there a mount that fails is a fault of the machine, not a reason to skip
    if (process.env.CI === 'true') throw new Error(`CI must be able to mount a tmpfs for the full-disk tests: ${probe.skip}`);
    console.warn(`full-disk tests SKIPPED: ${probe.skip}`);
    return probe.skip;
  }
  await probe.unmount();
  return false;
}


/** The size of the reserve file in `dataDir`, 0 when there is none. */
export async function reserveSize(dataDir: string): Promise<number> {
  return stat(join(dataDir, 'reserve')).then(
    (s) => s.size,
    () => 0,
  );
}

export async function untilReserve(dataDir: string): Promise<void> {
  await until('the reserve file is written', async () => (await reserveSize(dataDir)) === RESERVE);
}

/** Blob files on disk: a refused write must leave none behind. */
export async function blobFiles(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'blobs'), { recursive: true })).filter((p) => p.includes('/')).sort();
}

/** A v1 upload of `size` random-looking bytes sent without a length (chunked), in 64 KiB pieces. */
export async function putStreamed(baseUrl: string, path: string, size: number): Promise<Answer> {
  const piece = Buffer.alloc(64 * 1024, 0xa5);
  const body = Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += piece.length) yield piece.subarray(0, Math.min(piece.length, size - sent));
    })(),
  );
  const res = await request(`${baseUrl}${path}`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: res.statusCode, headers: res.headers, body: bytes, text, json: <T>() => JSON.parse(text) as T };
}

/** A refusal for lack of room: 507 with Retry-After, as JSON (v1, links) or as text (tutorial). */
export function assertNoRoom(answer: Answer, what: string, shape: 'json' | 'text' = 'json'): void {
  assert.equal(answer.status, 507, `${what}: ${answer.text}`);
  assert.match(String(answer.headers['retry-after']), /^\d+$/, `${what}: Retry-After`);
  if (shape === 'json') {
    const { error } = answer.json<{ error: { code: string; message: string } }>();
    assert.equal(error.code, 'InsufficientStorage', what);
    assert.match(error.message, /full|no room/, what);
  } else {
    assert.match(String(answer.headers['content-type']), /^text\/plain/, what);
    assert.match(answer.text, /full|no room/, what);
  }
}
