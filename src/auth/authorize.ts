/**
 * The one authorization check every face calls before touching the store.
 * (Interface fixed first so that share links and rate limiting can build on it while access keys land.)
 */
import type { FastifyRequest } from 'fastify';

export const ACTIONS = ['read', 'list', 'write', 'delete', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

/** Who is calling: set on the request by the authentication hook when keys are configured. */
export interface Principal {
  keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | undefined;
  }
}

/**
 * Throws AccessDenied (403) unless the caller may do `action` on `bucket` (and `key`, when given).
 * `bucket` undefined means the whole service (list buckets, admin). Without configured keys, all is allowed.
 * Placeholder until access keys land: allows everything.
 */
export function assertAllowed(_request: FastifyRequest, _action: Action, _bucket?: string, _key?: string): void {
  // access keys (issue 4) replace this
}
