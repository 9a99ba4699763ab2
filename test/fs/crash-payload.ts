/**
 * The crash test's workload vocabulary, shared by the parent (crash.test.ts) and the child (crash-worker.ts):
 * the keys, and the payload of every (key, version), derivable from the pair alone so the parent can check
 * the bytes of whatever it finds after a crash.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { MIN_PART_SIZE } from '../../src/storage/types.js';

export const CRASH_BUCKET = 'crash';

/** A few hot keys (overwritten constantly), more cold ones, and some that look like paths. */
export const CRASH_KEYS: readonly string[] = [
  ...Array.from({ length: 4 }, (_, i) => `hot-${i}`),
  ...Array.from({ length: 16 }, (_, i) => `cold/${i}`),
  '../escape',
  'a/../../b',
  'é/中文',
];

export const MAX_PAYLOAD = 300 * 1024;

const seedOf = (key: string, version: string) => createHash('sha256').update(`${key}\0${version}`).digest();

function keystream(seed: Buffer, size: number): Buffer {
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return cipher.update(Buffer.alloc(size));
}

/** Deterministic bytes for (key, version): a size in 0..300 KiB (some empty), AES-CTR keystream as content. */
export function payload(key: string, version: string): Buffer {
  const seed = seedOf(key, version);
  const pick = seed.readUInt32BE(0);
  const size = pick % 20 === 0 ? 0 : pick % (MAX_PAYLOAD + 1);
  return keystream(seed, size);
}

/** The parts of a multipart version: one small part, or (one in four) one of the minimum part size and a small one. */
export function multipartPayload(key: string, version: string): Buffer[] {
  const seed = seedOf(key, `${version}/parts`);
  const last = payload(key, `${version}/last`);
  if (seed.readUInt32BE(0) % 4 !== 0) return [last];
  return [keystream(seed, MIN_PART_SIZE + (seed.readUInt32BE(4) % 1000)), last];
}

/** A multipart version's object is marked so in its metadata: its bytes are those of its parts. */
export const MULTIPART_MARK = 'mp';

/** A protocol line from the child: "start|ack put|delete|complete <key as JSON> <version>" (a complete puts a version). */
export interface CrashEvent {
  phase: 'start' | 'ack';
  op: 'put' | 'delete' | 'complete';
  key: string;
  version: string;
}

export function formatEvent(e: CrashEvent): string {
  return `${e.phase} ${e.op} ${JSON.stringify(e.key)} ${e.version}\n`;
}

export function parseEvent(line: string): CrashEvent | undefined {
  const m = /^(start|ack) (put|delete|complete) ("(?:[^"\\]|\\.)*") (\S+)$/.exec(line);
  if (!m) return undefined;
  return { phase: m[1] as CrashEvent['phase'], op: m[2] as CrashEvent['op'], key: JSON.parse(m[3] as string) as string, version: m[4] as string };
}

/**
 * What the child says of its uploads: "upload <id> <key as JSON>" once made, "part <id> <n> <etag>" once a part
 * is acknowledged, "closing <id>" before it completes or aborts one.
 */
export type UploadEvent = { kind: 'upload'; id: string; key: string } | { kind: 'part'; id: string; partNumber: number; etag: string } | { kind: 'closing'; id: string };

export function formatUploadEvent(e: UploadEvent): string {
  if (e.kind === 'upload') return `upload ${e.id} ${JSON.stringify(e.key)}\n`;
  if (e.kind === 'part') return `part ${e.id} ${e.partNumber} ${e.etag}\n`;
  return `closing ${e.id}\n`;
}

export function parseUploadEvent(line: string): UploadEvent | undefined {
  const [kind, id, ...rest] = line.split(' ');
  if (!id) return undefined;
  if (kind === 'upload') return { kind, id, key: JSON.parse(rest.join(' ')) as string };
  if (kind === 'part' && rest.length === 2) return { kind, id, partNumber: Number(rest[0]), etag: rest[1] as string };
  if (kind === 'closing') return { kind, id };
  return undefined;
}
