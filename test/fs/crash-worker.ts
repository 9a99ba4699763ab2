/**
 * Child process of the crash test: opens the fs store on argv[2] and runs concurrent puts, deletes and
 * multipart uploads until it is killed, announcing each op on stdout before it starts ("start ...") and after
 * the store acknowledged it ("ack ..."), and each upload, acknowledged part and completion or abort. Writes to a pipe are synchronous on Linux, so a printed line happened before the kill.
 *
 * `node --test dist/test/` also runs this file, without arguments: it then does nothing.
 */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { openFsStore } from '../../src/storage/fs/index.js';
import type { FsStore } from '../../src/storage/fs/index.js';
import {
  CRASH_BUCKET,
  CRASH_KEYS,
  formatEvent,
  formatUploadEvent,
  multipartPayload,
  MULTIPART_MARK,
  payload,
  type CrashEvent,
  type UploadEvent,
} from './crash-payload.js';

const [dataDir, round] = process.argv.slice(2);
const CONCURRENCY = 12;
const CHUNK = 32 * 1024;

/** The payload in chunks spread over several event-loop turns, like a network upload. */
function bodyOf(data: Buffer): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < data.length; at += CHUNK) {
        yield data.subarray(at, at + CHUNK);
        await nextTurn();
      }
    })(),
  );
}

function pickKey(): string {
  // Half the ops go to the four hot keys, so the same key is often written by several workers at once.
  const hot = Math.random() < 0.5;
  const index = hot ? Math.floor(Math.random() * 4) : Math.floor(Math.random() * CRASH_KEYS.length);
  return CRASH_KEYS[index] as string;
}

function say(event: CrashEvent): void {
  process.stdout.write(formatEvent(event));
}

function tell(event: UploadEvent): void {
  process.stdout.write(formatUploadEvent(event));
}

/** An upload of the version's parts, then (in five of six) its completion, announced as a put, or its abort. */
async function multipart(store: FsStore, key: string, version: string): Promise<void> {
  const { uploadId } = await store.createMultipartUpload({ bucket: CRASH_BUCKET, key, metadata: { v: version, [MULTIPART_MARK]: '1' } });
  tell({ kind: 'upload', id: uploadId, key });
  const parts = [];
  for (const [i, data] of multipartPayload(key, version).entries()) {
    const part = await store.uploadPart({ bucket: CRASH_BUCKET, key, uploadId, partNumber: i + 1, body: bodyOf(data) });
    tell({ kind: 'part', id: uploadId, partNumber: i + 1, etag: part.etag });
    parts.push({ partNumber: i + 1, etag: part.etag });
  }
  tell({ kind: 'closing', id: uploadId });
  if (Math.random() < 1 / 6) {
    await store.abortMultipartUpload({ bucket: CRASH_BUCKET, key, uploadId });
    return;
  }
  say({ phase: 'start', op: 'complete', key, version });
  await store.completeMultipartUpload({ bucket: CRASH_BUCKET, key, uploadId, parts });
  say({ phase: 'ack', op: 'complete', key, version });
}

async function main(dir: string, roundId: string): Promise<void> {
  const store = await openFsStore({ dataDir: dir });
  process.stdout.write('ready\n');
  let seq = 0;
  const worker = async () => {
    for (;;) {
      const key = pickKey();
      const version = `${roundId}.${seq++}`;
      const dice = Math.random();
      if (dice < 0.15) {
        await multipart(store, key, version);
        continue;
      }
      const op = dice < 0.35 ? 'delete' : 'put';
      say({ phase: 'start', op, key, version });
      if (op === 'put') {
        await store.putObject({ bucket: CRASH_BUCKET, key, body: bodyOf(payload(key, version)), metadata: { v: version } });
      } else {
        await store.deleteObject({ bucket: CRASH_BUCKET, key });
      }
      say({ phase: 'ack', op, key, version });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

if (dataDir && round) {
  main(dataDir, round).catch((err: unknown) => {
    process.stderr.write(`crash worker failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
