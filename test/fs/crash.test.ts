/**
 * Crash test: a child process (crash-worker.ts) hammers the fs store with concurrent puts, deletes and
 * multipart uploads (parts, completions, aborts) and is killed with SIGKILL at a random moment; the store is
 * then reopened here and every key must hold a state the store may legally be in (that of an acknowledged op
 * no later op overtook, or of an op in flight), with exactly the bytes of that version (a completed upload's
 * parts, never a mix), every acknowledged part must still be listed in its upload, and no blob file may be
 * left unreferenced after the recovery sweep.
 * Rounds share one data dir, so damage left by one crash is seen by the next.
 *
 * A SIGKILL keeps the page cache, so this proves crash ordering (no row before its whole blob, no lost or torn
 * object, recovery); it cannot prove that fsyncs reach the platter (that takes a power cut).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { isServiceError } from '../../src/errors/codes.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { INLINE_MAX } from '../../src/storage/fs/inline.js';
import { md5Hex, readAll } from '../helpers/streams.js';
import type { FsStore } from '../../src/storage/fs/index.js';
import {
  CRASH_BUCKET,
  CRASH_KEYS,
  multipartPayload,
  MULTIPART_MARK,
  parseEvent,
  parseUploadEvent,
  payload,
  type CrashEvent,
  type UploadEvent,
} from './crash-payload.js';

const ROUNDS = 25;
const WORKER = fileURLToPath(new URL('./crash-worker.js', import.meta.url));

/** A key's state: the version it holds, or null when absent. */
type State = string | null;

const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Runs the worker and SIGKILLs it 50–600 ms into its workload (every fifth round: at any moment of start-up). */
async function runAndKill(dataDir: string, round: number): Promise<{ events: CrashEvent[]; uploads: UploadEvent[]; ready: boolean }> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the child is a plain program, not a test file
  const child = spawn(process.execPath, [WORKER, dataDir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  let timer: NodeJS.Timeout | undefined;
  const kill = () => child.kill('SIGKILL');
  if (round % 5 === 0) timer = setTimeout(kill, randomInt(0, 250));
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
    if (!timer && out.startsWith('ready\n')) timer = setTimeout(kill, randomInt(50, 600));
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `the worker ended by itself (code ${code}): ${err}`);
  const lines = out.split('\n').slice(0, -1); // the last piece is empty or a line cut by the kill
  const events = lines.map(parseEvent).filter((e): e is CrashEvent => e !== undefined);
  const uploads = lines.map(parseUploadEvent).filter((e): e is UploadEvent => e !== undefined);
  return { events, uploads, ready: lines[0] === 'ready' };
}

/**
 * What each key may hold after the crash: the result of any op on it that could be the last in a valid
 * linearization. An op qualifies unless an acknowledged op on the key started after it was acknowledged (that
 * one then came after it); an op still in flight always qualifies (it may have taken effect last); the state
 * before the round qualifies only if no op on the key was acknowledged. Acknowledgements of overlapping ops may
 * be printed in either order (a put's answer passes through more awaits than a delete's), so "the last one
 * printed wins" would be too strict: either op of an overlapping pair may win, as in S3.
 */
function allowedStates(before: Map<string, State>, events: CrashEvent[]): Map<string, Set<State>> {
  interface Op {
    result: State;
    start: number;
    ack?: number;
  }
  const ops = new Map<string, Map<string, Op>>();
  events.forEach((e, at) => {
    const byVersion = ops.get(e.key) ?? new Map<string, Op>();
    ops.set(e.key, byVersion);
    if (e.phase === 'start') byVersion.set(e.version, { result: e.op === 'delete' ? null : e.version, start: at });
    else {
      const op = byVersion.get(e.version);
      assert.ok(op && op.ack === undefined, `ack without start: ${JSON.stringify(e)}`);
      op.ack = at;
    }
  });
  const allowed = new Map<string, Set<State>>();
  for (const key of CRASH_KEYS) {
    const keyOps = [...(ops.get(key)?.values() ?? [])];
    const acked = keyOps.filter((op) => op.ack !== undefined);
    const overtaken = (op: Op) => op.ack !== undefined && acked.some((later) => later.start > (op.ack as number));
    const states = new Set<State>(keyOps.filter((op) => !overtaken(op)).map((op) => op.result));
    if (acked.length === 0) states.add(before.get(key) ?? null);
    allowed.set(key, states);
  }
  return allowed;
}

async function countBlobFiles(dataDir: string): Promise<number> {
  const blobs = join(dataDir, 'blobs');
  let count = 0;
  for (const shard of await readdir(blobs)) count += (await readdir(join(blobs, shard))).length;
  return count;
}

/**
 * Every part acknowledged is still listed in its upload, unless a completion or an abort of the upload had
 * begun (then the upload may be gone). Returns how many part files the open uploads hold (all made in this
 * round: earlier rounds' are aborted below).
 */
async function verifyUploads(store: FsStore, events: UploadEvent[], round: number): Promise<number> {
  const made = new Set(events.filter((e) => e.kind === 'upload').map((e) => e.id));
  const closing = new Set(events.filter((e) => e.kind === 'closing').map((e) => e.id));
  const { uploads, isTruncated } = await store.listMultipartUploads({ bucket: CRASH_BUCKET });
  assert.equal(isTruncated, false);
  let files = 0;
  // an upload made just before the kill may be there unannounced
  for (const upload of uploads) {
    files += (await store.listParts({ bucket: CRASH_BUCKET, key: upload.key, uploadId: upload.uploadId })).parts.length;
  }
  const open = new Set(uploads.map((u) => u.uploadId));
  for (const id of made) {
    if (!closing.has(id)) assert.ok(open.has(id), `round ${round}: upload ${id} was lost`);
  }
  for (const e of events) {
    if (e.kind !== 'part' || !open.has(e.id)) continue;
    const upload = uploads.find((u) => u.uploadId === e.id) as (typeof uploads)[number];
    const { parts } = await store.listParts({ bucket: CRASH_BUCKET, key: upload.key, uploadId: e.id });
    const part = parts.find((p) => p.partNumber === e.partNumber);
    assert.equal(part?.etag, e.etag, `round ${round}: acknowledged part ${e.partNumber} of ${e.id} is not listed`);
  }
  return files;
}

/** Aborts the uploads left open, so that each round starts without any (and aborting after a crash is tested). */
async function abortOpenUploads(store: FsStore): Promise<void> {
  for (const upload of (await store.listMultipartUploads({ bucket: CRASH_BUCKET })).uploads) {
    await store.abortMultipartUpload({ bucket: CRASH_BUCKET, key: upload.key, uploadId: upload.uploadId });
  }
}

/** Reopens the store, checks every key against what is allowed, and returns the states found. */
async function verify(
  dataDir: string,
  allowed: Map<string, Set<State>>,
  uploadEvents: UploadEvent[],
  round: number,
): Promise<Map<string, State>> {
  const store = await openFsStore({ dataDir });
  try {
    await store.recovered;
    const found = new Map<string, State>();
    let listed = 0;
    let inFiles = await verifyUploads(store, uploadEvents, round);
    let token: string | undefined;
    do {
      const page = await store.listObjects({ bucket: CRASH_BUCKET, continuationToken: token, maxKeys: 7 });
      for (const o of page.objects) assert.ok(CRASH_KEYS.includes(o.key), `unexpected key ${JSON.stringify(o.key)}`);
      listed += page.objects.length;
      token = page.nextContinuationToken;
    } while (token);
    for (const key of CRASH_KEYS) {
      let state: State = null;
      try {
        const got = await store.getObject({ bucket: CRASH_BUCKET, key });
        const version = got.meta.metadata.v;
        assert.ok(version, `${key} has no version metadata`);
        const parts = got.meta.metadata[MULTIPART_MARK] ? multipartPayload(key, version) : undefined;
        const expected = parts ? Buffer.concat(parts) : payload(key, version);
        const bytes = await readAll(got.body);
        assert.ok(bytes.equals(expected), `round ${round}: ${key} holds ${bytes.length} bytes that are not version ${version}`);
        assert.equal(got.meta.size, expected.length);
        assert.equal(got.meta.partsCount, parts?.length);
        if (!parts) assert.equal(got.meta.etag, `"${md5Hex(expected)}"`);
        // a multipart object keeps its part files; a small one lives in meta.sqlite
        inFiles += parts ? parts.length : expected.length > INLINE_MAX ? 1 : 0;
        state = version;
      } catch (err) {
        if (!isServiceError(err) || err.code !== 'NoSuchKey') throw err;
      }
      const options = allowed.get(key) as Set<State>;
      assert.ok(options.has(state), `round ${round}: ${key} is ${state}, expected one of ${[...options].join(', ')}`);
      found.set(key, state);
    }
    assert.equal(listed, [...found.values()].filter((s) => s !== null).length);
    assert.equal(await countBlobFiles(dataDir), inFiles, `round ${round}: blob files left that no row names`);
    await abortOpenUploads(store);
    return found;
  } finally {
    await store.close();
  }
}

test('the fs store keeps every acknowledged write, and only whole objects, across kill -9', { timeout: 180_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 's3gate-fs-crash-'));
  try {
    const setup = await openFsStore({ dataDir });
    await setup.createBucket({ bucket: CRASH_BUCKET });
    await setup.close();
    let state = new Map<string, State>();
    let acks = 0;
    let cutOff = 0;
    let completes = 0;
    let parts = 0;
    let completesCut = 0;
    let partsCut = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const { events, uploads } = await runAndKill(dataDir, round);
      const allowed = allowedStates(state, events);
      completes += events.filter((e) => e.op === 'complete' && e.phase === 'ack').length;
      const completeStarts = events.filter((e) => e.op === 'complete' && e.phase === 'start').length;
      completesCut += completeStarts - events.filter((e) => e.op === 'complete' && e.phase === 'ack').length;
      partsCut += uploads.filter((e) => e.kind === 'upload').length - uploads.filter((e) => e.kind === 'closing').length;
      parts += uploads.filter((e) => e.kind === 'part').length;
      acks += events.filter((e) => e.phase === 'ack').length;
      cutOff += events.filter((e) => e.phase === 'start').length - events.filter((e) => e.phase === 'ack').length;
      state = await verify(dataDir, allowed, uploads, round);
    }
    t.diagnostic(`${ROUNDS} kills, ${acks} acknowledged ops (${completes} completions, ${parts} parts), ${cutOff} ops cut off by a kill (${completesCut} completions, ${partsCut} uploads still sending parts)`);
    assert.ok(completes > ROUNDS / 5 && parts > ROUNDS, 'multipart uploads ran');
    assert.ok(acks > ROUNDS * 5, 'the workload ran');
    assert.ok(cutOff > ROUNDS, 'kills landed in the middle of ops');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
