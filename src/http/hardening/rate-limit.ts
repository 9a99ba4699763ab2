/**
 * Rate limits, with @fastify/rate-limit's counters (fixed windows, in process memory): every request counts
 * against its client address, before authentication, so that guessing secrets is limited too; a request
 * made with an access key also counts against that key, from whatever address it comes. Over a limit:
 * 429 with Retry-After, in the face's error shape. Routes declare their class: health checks say
 * `rateLimitClass: 'exempt'` and are never limited; loopback clients are not limited per address (their
 * keyed requests still count against the key).
 */
import { BlockList, isIP } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitSettings } from '../../config/network.js';
import { ServiceError } from '../../errors/codes.js';
import type { FaceShapes } from '../face-shapes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** standard (the default): counted; exempt: never limited (what a load balancer polls: limiting it would take a healthy instance out). */
    rateLimitClass?: 'standard' | 'exempt';
  }
}

/** Counters kept (least recently used go first): enough for this many distinct addresses and keys per window. */
const COUNTERS = 50_000;

type Check = ReturnType<FastifyInstance['createRateLimit']>;

/** The counter a request's address goes to: IPv6 clients by /64, as one host usually holds a whole /64. */
export function addressCounter(request: FastifyRequest): string {
  return `address:${rateLimit.normalizeIP(request.ip, 64)}`;
}

/**
 * Loopback clients, IPv4-mapped IPv6 ones (::ffff:127.x) included: a program on the service's own machine
 * can send from any of the 16 million 127.0.0.0/8 addresses, so a per-address limit would protect nothing
 * against it and would only stop local bulk jobs. `request.ip` is taken after trustProxy has named the
 * client, so a reverse proxy on the same host must be trusted or all its clients would count as loopback.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function isLoopbackClient(ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && LOOPBACK.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** The counter a request's access key goes to, or undefined for an anonymous request. */
export function keyCounter(request: FastifyRequest): string | undefined {
  return request.principal ? `key:${request.principal.keyId}` : undefined;
}

/** A hook counting the requests `who` names (an address, a key); undefined: not counted here. */
function limiter(check: Check, settings: RateLimitSettings, faces: FaceShapes, who: (request: FastifyRequest) => string | undefined) {
  const window = `${settings.windowMs / 1000} s`;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = who(request);
    if (caller === undefined || request.routeOptions.config.rateLimitClass === 'exempt') return;
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(result.ttlInSeconds));
    const message = `Too many requests ${caller}: the limit is ${result.max} per ${window}. Retry in ${result.ttlInSeconds} s.`;
    return faces.send(new ServiceError('TooManyRequests', message), request, reply);
  };
}

/** Call on the root instance before the authentication hook and the routes. */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, faces: FaceShapes): Promise<void> {
  if (settings.perAddress === 0 && settings.perKey === 0) return;
  await app.register(rateLimit, { global: false, cache: COUNTERS });
  const timeWindow = settings.windowMs;
  if (settings.perAddress > 0) {
    const check = app.createRateLimit({ keyGenerator: addressCounter, max: settings.perAddress, timeWindow });
    const fromAddress = (r: FastifyRequest) => (isLoopbackClient(r.ip) ? undefined : `from ${r.ip}`);
    app.addHook('onRequest', limiter(check, settings, faces, fromAddress));
  }
  if (settings.perKey > 0) {
    const check = app.createRateLimit({ keyGenerator: (request) => keyCounter(request) ?? '', max: settings.perKey, timeWindow });
    // after authentication (an onRequest hook) has named the key, before the body is read or validated;
    // anonymous requests are left to the address limit
    const withKey = (r: FastifyRequest) => (r.principal ? `with access key ${r.principal.keyId}` : undefined);
    app.addHook('preValidation', limiter(check, settings, faces, withKey));
  }
}
