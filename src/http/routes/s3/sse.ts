/**
 * Server-side encryption as S3 requests ask for it and answers report it: the x-amz-server-side-encryption
 * headers (or a browser upload's fields of the same names). What is read here is what the request says; the
 * store encrypts, keeps the data key and checks a customer key against it.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ServiceError } from '../../../errors/codes.js';
import type { CustomerKey, EncryptionInfo, EncryptionRequest } from '../../../storage/types.js';
import { header, type S3Call } from './context.js';

/** Reads one request header (or form field) by its lower-case name. */
export type FieldReader = (name: string) => string | undefined;

const SSE = 'x-amz-server-side-encryption';
const KMS_KEY_ID = `${SSE}-aws-kms-key-id`;
const CONTEXT = `${SSE}-context`;
export const CUSTOMER_PREFIX = `${SSE}-customer-`;
export const COPY_SOURCE_CUSTOMER_PREFIX = 'x-amz-copy-source-server-side-encryption-customer-';
const SSE_C_NEEDS = 'Requests specifying Server Side Encryption with Customer provided keys must provide';

function invalid(message: string): ServiceError {
  return new ServiceError('InvalidArgument', message);
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(plain) === 4 ? plain.startsWith('127.') : plain === '::1';
}

/** Where a request came from, as far as sending a key in it is concerned (the client, past a trusted proxy). */
export interface Transport {
  /** Over TLS. */
  secure: boolean;
  remoteAddress: string | undefined;
}

/**
 * An SSE-C key from the three fields under `prefix` (algorithm, key, key-MD5), or undefined when none is
 * given. A key travels in the clear without TLS: that is refused unless the client is on this machine.
 */
export function customerKeyFrom(read: FieldReader, prefix: string, transport: Transport): CustomerKey | undefined {
  const algorithm = read(`${prefix}algorithm`);
  const key = read(`${prefix}key`);
  const keyMd5 = read(`${prefix}key-md5`);
  if (algorithm === undefined && key === undefined && keyMd5 === undefined) return undefined;
  if (!transport.secure && !isLoopback(transport.remoteAddress)) {
    throw new ServiceError('InvalidRequest', 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.');
  }
  if (algorithm === undefined) throw invalid(`${SSE_C_NEEDS} a valid encryption algorithm.`);
  if (algorithm !== 'AES256') throw invalid(`The encryption algorithm ${algorithm} is not supported: SSE-C uses AES256.`);
  if (key === undefined) throw invalid(`${SSE_C_NEEDS} an appropriate secret key.`);
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== key.trim()) throw invalid('The secret key was invalid for the specified algorithm: it must be 32 bytes, in base64.');
  if (keyMd5 === undefined) throw invalid(`${SSE_C_NEEDS} the client calculated MD5 of the secret key.`);
  if (createHash('md5').update(bytes).digest('base64') !== keyMd5.trim()) throw invalid('The calculated MD5 hash of the key did not match the hash that was provided.');
  return { key: bytes, keyMd5: keyMd5.trim() };
}

/** The encryption a write asks for (PutObject, CopyObject, CreateMultipartUpload, POST): undefined for none. */
export function encryptionRequestFrom(read: FieldReader, transport: Transport): EncryptionRequest | undefined {
  const mode = read(SSE)?.trim();
  const kmsKeyId = read(KMS_KEY_ID)?.trim();
  const customerKey = customerKeyFrom(read, CUSTOMER_PREFIX, transport);
  if (read(CONTEXT) !== undefined) throw new ServiceError('NotImplemented', 'An SSE-KMS encryption context is not supported here.');
  if (customerKey) {
    if (mode !== undefined || kmsKeyId !== undefined) throw invalid('Server Side Encryption with Customer provided key is incompatible with the encryption method specified.');
    return { mode: 'SSE-C', customerKey };
  }
  if (mode === undefined) {
    if (kmsKeyId !== undefined) throw invalid(`${KMS_KEY_ID} is only valid with ${SSE}: aws:kms.`);
    return undefined;
  }
  if (mode === 'AES256') {
    if (kmsKeyId !== undefined) throw invalid(`${KMS_KEY_ID} is only valid with ${SSE}: aws:kms, not AES256.`);
    return { mode: 'AES256' };
  }
  if (mode === 'aws:kms') return { mode: 'aws:kms', keyId: kmsKeyId === '' ? undefined : kmsKeyId };
  if (mode === 'aws:kms:dsse') throw new ServiceError('NotImplemented', 'Dual-layer SSE-KMS (aws:kms:dsse) is not supported here.');
  throw invalid(`The encryption method ${mode} is not supported: use AES256, aws:kms or an SSE-C key.`);
}

/** A read (GET, HEAD) names a customer key only: a request to encrypt makes no sense on it (S3 says 400). */
export function readKeyFrom(read: FieldReader, transport: Transport): CustomerKey | undefined {
  if (read(SSE) !== undefined || read(KMS_KEY_ID) !== undefined) {
    throw invalid(`${SSE} is for writes: a read of an encrypted object needs no encryption headers, or only the SSE-C key.`);
  }
  return customerKeyFrom(read, CUSTOMER_PREFIX, transport);
}

/** The headers an answer reports an object's (or an upload's) encryption with; none for plain objects. */
export function encryptionHeaders(info: EncryptionInfo | undefined): Record<string, string> {
  switch (info?.mode) {
    case 'AES256':
      return { [SSE]: 'AES256' };
    case 'aws:kms':
      return info.kmsKeyId === undefined ? { [SSE]: 'aws:kms' } : { [SSE]: 'aws:kms', [KMS_KEY_ID]: info.kmsKeyId };
    case 'SSE-C':
      return { [`${CUSTOMER_PREFIX}algorithm`]: 'AES256', [`${CUSTOMER_PREFIX}key-md5`]: info.customerKeyMd5 ?? '' };
    default:
      return {};
  }
}

// ---- the same, read from a call's headers ----

export function transportOf(call: S3Call): Transport {
  return { secure: call.request.protocol === 'https', remoteAddress: call.request.ip };
}

const headersOf = (call: S3Call): FieldReader => (name) => header(call, name);

/** The encryption a write's headers ask for. */
export const requestedEncryption = (call: S3Call): EncryptionRequest | undefined => encryptionRequestFrom(headersOf(call), transportOf(call));

/** The SSE-C key of a GET or HEAD. */
export const readKeyOf = (call: S3Call): CustomerKey | undefined => readKeyFrom(headersOf(call), transportOf(call));

/** The SSE-C key of an upload's part or completion (an SSE-C upload needs it on each). */
export const uploadKeyOf = (call: S3Call): CustomerKey | undefined => customerKeyFrom(headersOf(call), CUSTOMER_PREFIX, transportOf(call));

/** The SSE-C key of a copy's source (x-amz-copy-source-server-side-encryption-customer-*). */
export const sourceKeyOf = (call: S3Call): CustomerKey | undefined => customerKeyFrom(headersOf(call), COPY_SOURCE_CUSTOMER_PREFIX, transportOf(call));
