/**
 * Per-object data keys: every object (and every multipart upload) gets a fresh random 32-byte key for its
 * bytes, kept beside its row wrapped with AES-256-GCM under a ring key (AES256, aws:kms) or the customer's
 * own key (SSE-C). The additional data names the mode and key id, so a record moved to another mode or key
 * fails authentication. What a read may do with such a record (which key it needs) is decided here only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ServiceError } from '../../errors/codes.js';
import type { BucketEncryption, CustomerKey, EncryptionInfo, EncryptionMode, EncryptionRequest } from '../types.js';
import { KEY_BYTES, type KeyRing } from './key-ring.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** How an object's data key is stored (a JSON column of the fs store; another store could keep it alike). */
export interface EncryptionRecord {
  mode: EncryptionMode;
  /** AES256 and aws:kms: the ring key that wraps the data key. */
  keyId?: string | undefined;
  /** SSE-C: the base64 MD5 of the customer's key. */
  customerKeyMd5?: string | undefined;
  /** base64 of nonce (12) | wrapped data key (32) | GCM tag (16). */
  wrapped: string;
}

/** A data key ready for use, and what to store and report about it. */
export interface SealedKey {
  dek: Buffer;
  record: EncryptionRecord;
}

function additionalData(mode: EncryptionMode, keyId: string | undefined): Buffer {
  return Buffer.from(`s3gate-sse/${mode}/${keyId ?? ''}`, 'utf8');
}

function wrap(kek: Buffer, dek: Buffer, aad: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(aad);
  const wrapped = Buffer.concat([cipher.update(dek), cipher.final()]);
  return Buffer.concat([nonce, wrapped, cipher.getAuthTag()]).toString('base64');
}

/** The data key, or undefined when the key or the additional data is not the one it was wrapped with. */
function unwrap(kek: Buffer, wrapped: string, aad: Buffer): Buffer | undefined {
  const bytes = Buffer.from(wrapped, 'base64');
  if (bytes.length !== NONCE_BYTES + KEY_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(NONCE_BYTES + KEY_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, NONCE_BYTES + KEY_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * The encryption a new write gets: the request's, else the bucket's default, else none (undefined).
 * KMS.NotFoundException for a key id the ring lacks.
 */
export function sealNew(ring: KeyRing, request: EncryptionRequest | undefined, bucketDefault: BucketEncryption | undefined): SealedKey | undefined {
  const wanted = request ?? bucketDefault;
  if (!wanted) return undefined;
  const dek = randomBytes(KEY_BYTES);
  if (wanted.mode === 'SSE-C') {
    const { customerKey } = wanted;
    const wrapped = wrap(customerKey.key, dek, additionalData('SSE-C', undefined));
    return { dek, record: { mode: 'SSE-C', customerKeyMd5: customerKey.keyMd5, wrapped } };
  }
  const keyId = ring.resolve(wanted.mode === 'aws:kms' ? wanted.keyId : undefined);
  const wrapped = wrap(ring.keyOf(keyId), dek, additionalData(wanted.mode, keyId));
  return { dek, record: { mode: wanted.mode, keyId, wrapped } };
}

/**
 * The data key of a stored record, for a request that gave `customerKey` (or none); undefined for an
 * object stored in the clear. An SSE-C object needs its key; any other object refuses one.
 */
export function openRecord(ring: KeyRing, record: EncryptionRecord | undefined, customerKey: CustomerKey | undefined): Buffer | undefined {
  if (record?.mode !== 'SSE-C') {
    if (customerKey) {
      throw new ServiceError('InvalidRequest', 'The object was not stored with a customer-provided key; the request must not carry one.');
    }
    if (!record) return undefined;
    const keyId = record.keyId ?? '';
    const dek = unwrap(ring.keyOf(keyId), record.wrapped, additionalData(record.mode, record.keyId));
    if (!dek) throw new ServiceError('InternalError', 'The stored data key of the object does not match its record.');
    return dek;
  }
  if (!customerKey) {
    throw new ServiceError('InvalidRequest', 'The object is stored with a customer-provided key (SSE-C); the request must carry that key.');
  }
  const dek = unwrap(customerKey.key, record.wrapped, additionalData('SSE-C', undefined));
  if (!dek) throw new ServiceError('InvalidArgument', 'The SSE-C key given is not the one the object was stored with.');
  return dek;
}

/** What reads report of a record: never a key. */
export function infoOf(record: EncryptionRecord | undefined): EncryptionInfo | undefined {
  if (!record) return undefined;
  if (record.mode === 'SSE-C') return { mode: 'SSE-C', customerKeyMd5: record.customerKeyMd5 };
  return record.mode === 'aws:kms' ? { mode: 'aws:kms', kmsKeyId: record.keyId } : { mode: 'AES256' };
}

/** A bucket default the ring can serve (KMS.NotFoundException otherwise), as it is to be stored. */
export function checkedDefault(ring: KeyRing, wanted: BucketEncryption): BucketEncryption {
  if (wanted.mode === 'AES256') {
    ring.resolve(undefined);
    return { mode: 'AES256' };
  }
  return wanted.keyId === undefined ? (ring.resolve(undefined), { mode: 'aws:kms' }) : { mode: 'aws:kms', keyId: ring.resolve(wanted.keyId) };
}
