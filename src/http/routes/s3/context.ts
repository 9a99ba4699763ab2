/** What every S3 operation handler is given: the request, where it points, and the face's settings. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Keyring } from '../../../auth/keys.js';
import type { ObjectStore } from '../../../storage/types.js';

export interface S3FaceOptions {
  store: ObjectStore;
  maxObjectSize: number;
  /** The region clients sign for and GetBucketLocation answers. */
  region: string;
  /** Base domain of virtual-hosted-style addresses. */
  domain: string;
  /** The service's keys (null: none configured), for proofs that come in the body (a browser upload's signed policy). */
  keys: Keyring | null;
}

export interface S3Call {
  request: FastifyRequest;
  reply: FastifyReply;
  options: S3FaceOptions;
  store: ObjectStore;
  /** Set for bucket and object operations. */
  bucket: string | undefined;
  /** Set for object operations. */
  key: string | undefined;
  /** The query, decoded (subresources like `?uploads` have the value ''). */
  query: URLSearchParams;
  /** Fires when the client goes away before the answer is complete. */
  signal: AbortSignal;
}

/** A call that names a bucket (and, for ObjectCall, a key): the dispatcher only hands those to such operations. */
export type BucketCall = S3Call & { bucket: string };
export type ObjectCall = BucketCall & { key: string };

/** One header of the request, the first when repeated. */
export function header(call: S3Call, name: string): string | undefined {
  const value = call.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
