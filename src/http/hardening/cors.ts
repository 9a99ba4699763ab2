/**
 * CORS for browser applications on other origins: off unless origins are configured, and then only those
 * exact origins. No cookies are involved (access keys travel in the Authorization header), so credentials
 * stay off. Preflights are answered before authentication, as browsers send them without the key.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { CorsSettings } from '../../config/network.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];

/**
 * Response headers a page may read besides the always-readable ones. "*" covers the rest, user metadata
 * (x-amz-meta-*) included, for requests without credentials, which is every request here.
 */
const EXPOSED_HEADERS = [
  '*',
  'etag',
  'content-range',
  'content-length',
  'content-disposition',
  'content-encoding',
  'accept-ranges',
  'last-modified',
  'location',
  'retry-after',
  'www-authenticate',
  'x-request-id',
];

/** Call on the root instance before the authentication hook and the routes. */
export async function registerCors(app: FastifyInstance, settings: CorsSettings): Promise<void> {
  if (settings.origins.length === 0) return;
  await app.register(cors, {
    origin: [...settings.origins],
    methods: METHODS,
    exposedHeaders: EXPOSED_HEADERS,
    // allowedHeaders unset: a preflight's Access-Control-Request-Headers are allowed as asked
    maxAge: settings.maxAgeSeconds,
    credentials: false,
    strictPreflight: true,
  });
}
