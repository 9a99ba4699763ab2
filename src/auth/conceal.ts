/**
 * Not telling a missing key from a refused one: a caller who may not list a key learns nothing from its
 * absence, so NoSuchKey becomes the AccessDenied that a refusal would have been (as S3 answers without
 * s3:ListBucket). The refused action is the first one the route checked on a key (the source of a copy).
 */
import type { FastifyRequest } from 'fastify';
import { isServiceError, ServiceError } from '../errors/codes.js';
import { type Action, grantsAllow, refusal } from './grants.js';

export interface Check {
  action: Action;
  bucket?: string | undefined;
  key?: string | undefined;
}

const firstKeyCheck = new WeakMap<FastifyRequest, Check>();

export function rememberCheck(request: FastifyRequest, check: Check): void {
  if (check.bucket !== undefined && check.key !== undefined && !firstKeyCheck.has(request)) firstKeyCheck.set(request, check);
}

/** The error to answer instead of `err`: AccessDenied for a NoSuchKey the caller may not learn of. */
export function concealMissing(request: FastifyRequest, err: unknown, check = firstKeyCheck.get(request)): unknown {
  const principal = request.principal;
  if (!principal || !check || !isServiceError(err) || err.code !== 'NoSuchKey') return err;
  if (grantsAllow(principal.grants, 'list', check.bucket, check.key)) return err;
  return new ServiceError('AccessDenied', refusal(principal.keyId, check.action, check.bucket, check.key));
}
