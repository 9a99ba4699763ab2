/**
 * Authentication: with keys configured, every request but the public ones carries a valid Bearer token
 * (token.ts), checked before its body is read; the caller's key becomes `request.principal`.
 * Without keys nothing is checked (and assertAllowed allows all).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config/auth.js';
import { ServiceError } from '../errors/codes.js';
import { Keyring } from './keys.js';
import { bearerToken, parseToken } from './token.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured keys; null when there are none (an open service). Set by installAuth. */
    accessKeys?: Keyring | null;
  }
  interface FastifyContextConfig {
    /** Served without a token (a share link carries its own proof); a valid token still sets the principal. */
    public?: boolean;
  }
}

/** Anyone may call these: liveness, readiness, and the API's description (the same for every deployment). */
const PUBLIC_URLS = new Set(['/healthz', '/readyz', '/openapi.json', '/docs']);

export const CHALLENGE = 'Bearer realm="s3gate"';

function isPublic(request: FastifyRequest): boolean {
  if (request.routeOptions.config.public === true) return true;
  const url = request.routeOptions.url;
  return url !== undefined && (PUBLIC_URLS.has(url) || url.startsWith('/docs/'));
}

async function authenticate(keyring: Keyring, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = bearerToken(request.headers.authorization);
  const credentials = token === undefined ? undefined : parseToken(token);
  request.principal = credentials && keyring.verify(credentials.keyId, credentials.secret);
  if (request.principal || isPublic(request)) return;
  // RFC 6750 §3: the challenge, with error="invalid_token" when a token was sent but is not good
  reply.header('www-authenticate', token === undefined ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`);
  throw new ServiceError(
    'Unauthorized',
    token === undefined
      ? 'This request needs an access key: send the header "Authorization: Bearer <keyId>.<secret>".'
      : 'The access token is not valid: unknown key id or wrong secret.',
  );
}

/** Call on the root instance before any route is registered. */
export function installAuth(app: FastifyInstance, auth: AuthConfig): void {
  const keyring = auth.keys.length > 0 ? new Keyring(auth.keys) : null;
  app.decorate('accessKeys', keyring);
  if (keyring) app.addHook('onRequest', (request, reply) => authenticate(keyring, request, reply));
}
