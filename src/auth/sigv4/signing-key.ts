/**
 * SigV4's signing key (an HMAC chain from the secret over the scope's date, region and service) and the
 * constant-time comparison of signatures. Deriving a key costs four HMACs; a small cache keeps the day's
 * keys, so a request costs one HMAC of its string to sign.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Scope {
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

export const scopeString = (scope: Scope): string => `${scope.date}/${scope.region}/${scope.service}/aws4_request`;

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Keys of the current days; a secret changed by a reload makes new entries, the old ones age out. */
const cache = new Map<string, Buffer>();
const CACHE_LIMIT = 1000;

export function signingKey(secret: string, scope: Scope): Buffer {
  const id = `${scopeString(scope)}\n${secret}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scope.date), scope.region), scope.service), 'aws4_request');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(id, key);
  return key;
}

export const signatureOf = (key: Buffer, stringToSign: string): string => hmac(key, stringToSign).toString('hex');

/** Whether two hex signatures are equal, in time that does not depend on where they differ. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
