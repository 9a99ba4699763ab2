/**
 * The one authorization check every face calls before touching the store:
 * `assertAllowed(request, action, bucket, key)`. The hook (hook.ts) has already authenticated the caller
 * and set `request.principal`; this decides whether that key's grants (grants.ts) cover the request.
 */
import type { FastifyRequest } from 'fastify';
import { ServiceError } from '../errors/codes.js';
import { rememberCheck } from './conceal.js';
import { type Action, grantsAllow, refusal } from './grants.js';
import type { Principal } from './keys.js';

export { ACTIONS, type Action } from './grants.js';
export type { Principal } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | undefined;
    /** Set for every request by the auth hook: whether the service has keys (without, all is allowed). */
    keyed?: boolean | undefined;
  }
}

/**
 * Throws AccessDenied (403) unless the caller may do `action` on `bucket` (and `key`, when given; for a
 * listing or a prefix delete, the prefix). `bucket` undefined means the service (listing buckets).
 * Without configured keys, all is allowed: protected mode keeps such a service on loopback.
 */
export function assertAllowed(request: FastifyRequest, action: Action, bucket?: string, key?: string): void {
  if (request.keyed === undefined) throw new Error('assertAllowed: the app has no auth hook (installAuth in src/auth/hook.ts)');
  if (!request.keyed) return;
  const principal = request.principal;
  if (!principal) {
    // only a public route gets here without a principal: it must not hand out keyed access
    throw new ServiceError('AccessDenied', refusal('(none: anonymous caller)', action, bucket, key));
  }
  if (!grantsAllow(principal.grants, action, bucket, key)) {
    throw new ServiceError('AccessDenied', refusal(principal.keyId, action, bucket, key));
  }
  rememberCheck(request, { action, bucket, key });
}
