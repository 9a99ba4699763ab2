/**
 * Object lock, as S3 answers it for a bucket created without it (every bucket here: CreateBucket refuses
 * x-amz-bucket-object-lock-enabled, since s3gate keeps no retention). Get/PutObjectLockConfiguration
 * (?object-lock), Get/PutObjectRetention (?retention) and Get/PutObjectLegalHold (?legal-hold) say the
 * bucket has no lock, after authorization and once the bucket is known to exist (NoSuchBucket otherwise).
 */
import { assertAllowed, type Action } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { S3Call } from '../context.js';
import type { S3Method, S3Operation } from '../operation.js';
import { readDocument } from './request-document.js';

const notLocked = () => new ServiceError('InvalidRequest', 'Bucket is missing Object Lock Configuration');

interface Refusal {
  name: string;
  method: S3Method;
  target: 'bucket' | 'object';
  query: 'object-lock' | 'retention' | 'legal-hold';
  error: () => ServiceError;
}

const REFUSALS: readonly Refusal[] = [
  { name: 'GetObjectLockConfiguration', method: 'GET', target: 'bucket', query: 'object-lock', error: () => new ServiceError('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket') },
  // S3 cannot turn object lock on for a bucket made without it
  { name: 'PutObjectLockConfiguration', method: 'PUT', target: 'bucket', query: 'object-lock', error: () => new ServiceError('InvalidBucketState', 'Object Lock configuration cannot be enabled on existing buckets') },
  { name: 'GetObjectRetention', method: 'GET', target: 'object', query: 'retention', error: notLocked },
  { name: 'PutObjectRetention', method: 'PUT', target: 'object', query: 'retention', error: notLocked },
  { name: 'GetObjectLegalHold', method: 'GET', target: 'object', query: 'legal-hold', error: notLocked },
  { name: 'PutObjectLegalHold', method: 'PUT', target: 'object', query: 'legal-hold', error: notLocked },
];

/** The action the v1 equivalent needs: reading a bucket's setting 'list', an object's 'read'; changing either 'admin'. */
function actionOf(refusal: Refusal): Action {
  if (refusal.method === 'PUT') return 'admin';
  return refusal.target === 'bucket' ? 'list' : 'read';
}

async function refuse(call: S3Call & { bucket: string; key?: string }, refusal: Refusal): Promise<never> {
  assertAllowed(call.request, actionOf(refusal), call.bucket, call.key);
  if (refusal.method === 'PUT') await readDocument(call); // read whole, so the connection stays usable
  await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
  throw refusal.error();
}

export const OBJECT_LOCK_OPERATIONS: readonly S3Operation[] = REFUSALS.map((refusal): S3Operation => {
  const { name, method, query } = refusal;
  return refusal.target === 'bucket'
    ? { name, method, query, target: 'bucket', handle: (call) => refuse(call, refusal) }
    : { name, method, query, target: 'object', handle: (call) => refuse(call, refusal) };
});
