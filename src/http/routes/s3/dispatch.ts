/** Picks the operation a request asks for (operation.ts says how S3 tells them apart). */
import { ServiceError } from '../../../errors/codes.js';
import type { S3Operation } from './operation.js';

export type S3Target = S3Operation['target'];

/**
 * Subresources of S3 that s3gate does not offer: asked for, they get a clear 501, never the plain
 * operation's answer (a GET of `?policy` must not list the bucket).
 */
const UNOFFERED_SUBRESOURCES = [
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'logging',
  'metrics',
  'notification',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'select',
  'torrent',
  'website',
] as const;

/**
 * Headers (and browser-upload fields) asking for what s3gate does not do: object lock, website redirects.
 * Ignoring them would store an object other than the one asked for (unlocked), so they are refused.
 * (Encryption headers are read by the operations; a store without the mode asked refuses it.)
 */
const UNOFFERED_HEADER_PREFIXES = ['x-amz-object-lock-', 'x-amz-bucket-object-lock-enabled', 'x-amz-website-redirect-location'];

/** A refusal naming the first of `names` that asks for something s3gate does not do, or undefined. */
export function unofferedHeaderRefusal(names: Iterable<string>): ServiceError | undefined {
  for (const name of names) {
    const lower = name.toLowerCase();
    if (UNOFFERED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      return new ServiceError('NotImplemented', `s3gate does not implement ${lower}: it keeps objects unlocked, with no redirect.`);
    }
  }
  return undefined;
}

interface Asked {
  method: string;
  target: S3Target;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
}

function matches(op: S3Operation, asked: Asked): boolean {
  if (op.method !== asked.method || op.target !== asked.target) return false;
  if (op.query !== undefined) {
    const value = asked.query.get(op.query);
    if (value === null || (op.queryValue !== undefined && value !== op.queryValue)) return false;
  }
  return op.header === undefined || asked.headers[op.header] !== undefined;
}

const TARGET_WORDS: Record<S3Target, string> = { service: 'the service', bucket: 'a bucket', object: 'an object' };

/** How many conditions an operation puts on a request besides its method and target. */
const conditions = (op: S3Operation) => (op.query !== undefined ? 1 : 0) + (op.queryValue !== undefined ? 1 : 0) + (op.header !== undefined ? 1 : 0);

/**
 * The operations in the order they are tried: the more conditions, the sooner (UploadPartCopy, a query and
 * a header, before CopyObject, a header, before PutObject, none), whatever file lists them.
 */
export function dispatchOrder(operations: readonly S3Operation[]): readonly S3Operation[] {
  return [...operations].sort((a, b) => conditions(b) - conditions(a)); // stable: ties keep their order
}

/** `operations` in dispatch order (dispatchOrder). */
export function chooseOperation(operations: readonly S3Operation[], asked: Asked): S3Operation {
  const unoffered = UNOFFERED_SUBRESOURCES.find((name) => asked.query.has(name));
  if (unoffered) throw new ServiceError('NotImplemented', `s3gate does not implement the ${unoffered} subresource.`);
  const refused = unofferedHeaderRefusal(Object.keys(asked.headers));
  if (refused) throw refused;
  const found = operations.find((op) => matches(op, asked));
  if (found) return found;
  const named = [...asked.query.keys()].filter((name) => !name.startsWith('x-'));
  const what = named.length > 0 ? ` with ?${named.join('&')}` : '';
  throw new ServiceError('MethodNotAllowed', `The method ${asked.method} on ${TARGET_WORDS[asked.target]}${what} is not allowed or not implemented.`);
}
