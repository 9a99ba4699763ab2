/**
 * The crash test's workload vocabulary, shared by the parent (crash.test.ts) and the child (crash-worker.ts):
 * the keys, and the payload of every (key, version), derivable from the pair alone so the parent can check
 * the bytes of whatever it finds after a crash.
 */
import { createCipheriv, createHash } from 'node:crypto';

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

/** Deterministic bytes for (key, version): a size in 0..300 KiB (some empty), AES-CTR keystream as content. */
export function payload(key: string, version: string): Buffer {
  const seed = createHash('sha256').update(`${key}\0${version}`).digest();
  const pick = seed.readUInt32BE(0);
  const size = pick % 20 === 0 ? 0 : pick % (MAX_PAYLOAD + 1);
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return cipher.update(Buffer.alloc(size));
}

/** A protocol line from the child: "start|ack put|delete <key as JSON> <version>". */
export interface CrashEvent {
  phase: 'start' | 'ack';
  op: 'put' | 'delete';
  key: string;
  version: string;
}

export function formatEvent(e: CrashEvent): string {
  return `${e.phase} ${e.op} ${JSON.stringify(e.key)} ${e.version}\n`;
}

export function parseEvent(line: string): CrashEvent | undefined {
  const m = /^(start|ack) (put|delete) ("(?:[^"\\]|\\.)*") (\S+)$/.exec(line);
  if (!m) return undefined;
  return { phase: m[1] as CrashEvent['phase'], op: m[2] as CrashEvent['op'], key: JSON.parse(m[3] as string) as string, version: m[4] as string };
}
