/**
 * Authentication: with keys configured, every request but those of public routes carries credentials of
 * one of the listener's schemes (scheme.ts: bearer tokens today), checked before its body is read; the
 * caller's key becomes `request.principal`. Without keys nothing is checked (and assertAllowed allows all).
 * Routes say themselves whether they are public (`config: { public: true }`, or a function of the request when
 * only some of its requests carry their own proof); no list of URLs lives here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerScheme } from './bearer.js';
import type { Keyring } from './keys.js';
import type { AuthScheme } from './scheme.js';

export { CHALLENGE } from './bearer.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Served without credentials (health, the API's description, a share link that carries its own proof);
     * good credentials still set the principal. A function decides per request (an S3 browser upload, whose
     * form carries its signed policy, shares its route with requests that need a signature).
     */
    public?: boolean | ((request: FastifyRequest) => boolean);
  }
}

/** At least one: the first answers a request that sent no credentials. */
type Schemes = readonly [AuthScheme, ...AuthScheme[]];

function isPublic(request: FastifyRequest): boolean {
  const open = request.routeOptions.config.public;
  return typeof open === 'function' ? open(request) : open === true;
}

function authenticate(schemes: Schemes, keyring: Keyring, request: FastifyRequest, reply: FastifyReply): void {
  const scheme = schemes.find((s) => s.presentIn(request));
  const result = scheme?.authenticate(request, keyring);
  request.principal = result && 'principal' in result ? result.principal : undefined;
  if (request.principal || isPublic(request)) return;
  const speaker = scheme ?? schemes[0];
  speaker.challenge(reply, scheme !== undefined);
  throw result && 'refused' in result ? result.refused : speaker.missing();
}

/**
 * Call on the root instance before any route is registered, with the core's keys (null: none configured)
 * and the schemes this listener accepts, the first of which answers a request that sent no credentials.
 */
export function installAuth(app: FastifyInstance, keyring: Keyring | null, schemes: Schemes = [bearerScheme]): void {
  app.decorateRequest('keyed', keyring !== null);
  if (!keyring) return;
  // callback style: no promise per request on the hot path
  app.addHook('onRequest', (request, reply, done) => {
    try {
      authenticate(schemes, keyring, request, reply);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}
