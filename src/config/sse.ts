/**
 * Server-side encryption settings: the key ring of SSE-S3 and SSE-KMS (src/storage/encryption/). Spread
 * into the main schema (schema.ts) and the environment table (load.ts). No message here ever shows a key,
 * only its id or its position.
 */
import { z } from 'zod';
import { KEY_BYTES, KeyRing } from '../storage/encryption/index.js';
import { list } from './fields.js';

export const SSE_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_SSE_KEYS: 'sse.keys',
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Ids as KMS names keys (aliases, ARNs): no spaces, no commas. */
const KEY_ID = /^[A-Za-z0-9._/:+=@-]{1,256}$/;

export interface SseKey {
  id: string;
  /** base64 of the 32 key bytes (a Buffer cannot be frozen with the configuration). */
  key: string;
}

/** `id:BASE64KEY` → the key, or a problem naming the entry (never its key). */
function parseEntry(entry: string, position: number): SseKey | string {
  // base64 has no ':', so the last one ends the id, which may contain some (an ARN)
  const colon = entry.lastIndexOf(':');
  const where = `key ${position}`;
  if (colon <= 0) return `${where} must be written id:BASE64KEY`;
  const id = entry.slice(0, colon);
  const key = entry.slice(colon + 1);
  if (!KEY_ID.test(id)) return `${where}: its id must be 1 to 256 letters, digits or ._/:+=@-`;
  if (!BASE64.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) {
    return `key "${id}" must be ${KEY_BYTES} bytes written in base64 (openssl rand -base64 32)`;
  }
  return { id, key };
}

const keysField = list.transform((entries, ctx): SseKey[] => {
  const keys: SseKey[] = [];
  entries.forEach((entry, i) => {
    const parsed = parseEntry(entry, i + 1);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    else if (keys.some((k) => k.id === parsed.id)) ctx.addIssue({ code: 'custom', message: `key "${parsed.id}" is given twice` });
    else keys.push(parsed);
  });
  return keys;
});

const sseSchema = z
  .object({
    keys: keysField
      .default([])
      .describe('keys of SSE-S3 and SSE-KMS, id:BASE64KEY comma-separated (32 bytes each; the first is the default); none: SSE-C only'),
  })
  .strict();

export const sseShape = {
  sse: sseSchema.prefault({}),
};

export type SseConfig = z.output<typeof sseSchema>;

/** The key ring the settings name. */
export function sseKeyRing(sse: Readonly<SseConfig>): KeyRing {
  return new KeyRing(sse.keys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') })));
}

/** What the start-up log shows of the keys: their ids. */
export function redactedSse(sse: Readonly<SseConfig>): unknown {
  return { keys: sse.keys.map((k) => ({ id: k.id, key: '[redacted]' })) };
}
