/**
 * Access keys: generating them, hashing their secrets, and checking a presented secret in constant time.
 *
 * Ids look like AWS access key ids (20 upper-case characters) and secrets like AWS secret keys (40
 * characters, 238 random bits), so that the same pairs can sign S3 Signature V4 requests later.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccessKeyConfig } from '../config/auth.js';
import type { Grant } from './grants.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // base32: no look-alike 0/O, 1/I
const ID_PREFIX = 'SG';
const ID_LENGTH = 20;
// letters and digits only: a secret never starts with "-" (read as an option) nor needs quoting
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_LENGTH = 40; // 238 random bits

/** Who is calling: set on the request by the authentication hook when keys are configured. */
export interface Principal {
  readonly keyId: string;
  readonly grants: readonly Grant[];
}

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The stored form of a secret: `sha256:<hex>`. */
export function hashSecret(secret: string): string {
  return `sha256:${digestOf(secret).toString('hex')}`;
}

/** Uniformly random characters of `alphabet`: bytes past the last whole multiple of its size are skipped. */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

export function generateKeyId(): string {
  return ID_PREFIX + randomString(ID_ALPHABET, ID_LENGTH - ID_PREFIX.length);
}

export function generateSecret(): string {
  return randomString(SECRET_ALPHABET, SECRET_LENGTH);
}

interface Entry {
  digest: Buffer;
  principal: Principal;
  /** The plain secret, for keys that may sign S3 requests (SigV4 is an HMAC keyed by it). */
  secret?: string | undefined;
}

/** What the S3 face may sign with: the key's secret, or the news that it keeps only a hash. */
export type SigningSecret =
  | { principal: Principal; secret: string }
  | { principal: Principal; hashOnly: true };

/** Compared against when the id is unknown, so that a miss costs the same work as a wrong secret. */
const NO_DIGEST = Buffer.alloc(32);

function entriesOf(keys: readonly AccessKeyConfig[]): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const key of keys) {
    const digest = key.secretHash ? Buffer.from(key.secretHash.slice('sha256:'.length), 'hex') : digestOf(key.secret ?? '');
    entries.set(key.id, { digest, principal: { keyId: key.id, grants: key.grants }, secret: key.secret });
  }
  return entries;
}

/** The configured keys, ready to verify tokens. */
export class Keyring {
  private entries: Map<string, Entry>;

  constructor(keys: readonly AccessKeyConfig[]) {
    this.entries = entriesOf(keys);
  }

  /**
   * Swaps in a new set of keys (SIGHUP, reload.ts) in one step: requests verified before keep the principal
   * they got, later ones see only the new set.
   */
  replace(keys: readonly AccessKeyConfig[]): void {
    this.entries = entriesOf(keys);
  }

  /** The ids of the keys, for logs. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** The key with this id as configured now (for checks that need no secret: a share link's creator). */
  principalOf(keyId: string): Principal | undefined {
    return this.entries.get(keyId)?.principal;
  }

  /**
   * The secret an S3 request signed by this key id was signed with, to check its signature; undefined for an
   * unknown id. A key stored with its hash only cannot verify a signature (`hashOnly`).
   */
  signingSecret(keyId: string): SigningSecret | undefined {
    const entry = this.entries.get(keyId);
    if (!entry) return undefined;
    return entry.secret === undefined ? { principal: entry.principal, hashOnly: true } : { principal: entry.principal, secret: entry.secret };
  }

  /**
   * The principal when `secret` is the key's secret, else undefined. Digests of equal length are compared
   * with timingSafeEqual, so the time taken says nothing about how much of the secret was right.
   */
  verify(keyId: string, secret: string): Principal | undefined {
    const entry = this.entries.get(keyId);
    const same = timingSafeEqual(digestOf(secret), entry?.digest ?? NO_DIGEST);
    return same && entry ? entry.principal : undefined;
  }
}
