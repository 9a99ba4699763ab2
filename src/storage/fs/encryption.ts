/**
 * Encryption at rest in the fs store: the JSON `encryption` column of objects and uploads (an
 * EncryptionRecord: the wrapped data key) and of buckets (their default), between the rows and the
 * store-independent rules of storage/encryption/.
 */
import { openRecord, sealNew, infoOf, type EncryptionRecord, type KeyRing, type SealedKey } from '../encryption/index.js';
import type { BucketEncryption, CustomerKey, EncryptionInfo, EncryptionMode, EncryptionRequest } from '../types.js';
import type { MetaDb } from './db.js';

export function recordOf(column: string | null): EncryptionRecord | undefined {
  return column === null ? undefined : (JSON.parse(column) as EncryptionRecord);
}

export function infoOfColumn(column: string | null): EncryptionInfo | undefined {
  return infoOf(recordOf(column));
}

export class FsEncryption {
  constructor(
    readonly ring: KeyRing,
    private readonly db: MetaDb,
  ) {}

  /** What writes may ask for: SSE-C always (the client brings the key), the others with a key ring. */
  get modes(): readonly EncryptionMode[] {
    return this.ring.empty ? ['SSE-C'] : ['AES256', 'aws:kms', 'SSE-C'];
  }

  /** The data key of a new write into `bucket`: the request's encryption, else the bucket's default, else none. */
  seal(bucket: string, request: EncryptionRequest | undefined): SealedKey | undefined {
    if (request) return sealNew(this.ring, request, undefined);
    const stored = this.db.getBucketSettings(bucket)?.encryption ?? null;
    return sealNew(this.ring, undefined, stored === null ? undefined : (JSON.parse(stored) as BucketEncryption));
  }

  /** The data key of stored bytes (undefined when in the clear), for a request carrying `customerKey` or none. */
  open(column: string | null, customerKey: CustomerKey | undefined): Buffer | undefined {
    return openRecord(this.ring, recordOf(column), customerKey);
  }
}

/** The column a sealed key is stored as. */
export function columnOf(sealed: SealedKey | undefined): string | null {
  return sealed ? JSON.stringify(sealed.record) : null;
}
