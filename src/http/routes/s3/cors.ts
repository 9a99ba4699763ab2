/**
 * CORS on the S3 listener, as S3 applies it: each bucket's own rules (PutBucketCors) decide, not the main
 * listener's global origins.
 *
 * - A preflight (OPTIONS on a bucket or an object, path-style or virtual-hosted) is answered from the rules
 *   without credentials, since browsers send it without them: 200 with the Access-Control-Allow-* headers of
 *   the first rule that allows the origin, the method and every header asked for; otherwise 403
 *   AccessForbidden, the same for a bucket without rules as for one that does not exist.
 * - Any other request with an Origin header that a rule allows for its method gets Access-Control-Allow-
 *   Origin, -Methods and -Expose-Headers on its answer, errors included (a page can then read them).
 * - The rules are cached in this process for CORS_CACHE_TTL_MS, and forgotten at once when they change, or
 *   their bucket is deleted or created, through this listener (the store handed back by applyBucketCors).
 *   Changes made elsewhere (the backend directly, another process) show within the TTL.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isServiceError, ServiceError } from '../../../errors/codes.js';
import type { CorsRule, ObjectStore, StoreOperation } from '../../../storage/types.js';
import { wrapStore } from '../../../storage/wrap.js';
import { addressOf } from './address.js';

/** How long a bucket's rules are used before they are read again (changes through this listener: at once). */
export const CORS_CACHE_TTL_MS = 10_000;
/** Buckets whose rules are kept at most: anyone may send preflights naming any bucket. */
const CORS_CACHE_ENTRIES = 1000;

/** What a cached answer depends on: caches must tell the origins and preflights apart. */
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

const NOT_ALLOWED =
  'CORSResponse: This CORS request is not allowed. No CORS rule of the bucket allows this origin, method and these headers.';

/** Calls after which the rules of their bucket are read again. */
const CHANGES_RULES: ReadonlySet<StoreOperation> = new Set(['putBucketCors', 'deleteBucketCors', 'deleteBucket', 'createBucket']);

/** `pattern` with at most one `*` (any run of characters, none included) matches `value`, ignoring case. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

interface Asked {
  origin: string;
  method: string;
  /** A preflight's Access-Control-Request-Headers, lower-cased. */
  headers: readonly string[];
}

/** The first rule that allows what is asked: S3 reads the rules in order. */
export function matchingRule(rules: readonly CorsRule[], asked: Asked): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((pattern) => wildcardMatch(pattern, asked.origin)) &&
      rule.allowedMethods.some((method) => method === asked.method) &&
      asked.headers.every((name) => rule.allowedHeaders.some((pattern) => wildcardMatch(pattern, name))),
  );
}

interface Cached {
  rules: readonly CorsRule[];
  expires: number;
}

/** The buckets' rules, read through the store and kept for a short while. */
class CorsRuleCache {
  readonly #entries = new Map<string, Cached>();
  /** Bumped by every forget: a read that began before it must not store what it read. */
  #epoch = 0;

  constructor(private readonly store: ObjectStore) {}

  /** The bucket's rules; none for a bucket without any, or one that does not exist or cannot. */
  async rulesOf(bucket: string): Promise<readonly CorsRule[]> {
    const cached = this.#entries.get(bucket);
    if (cached && cached.expires > Date.now()) return cached.rules;
    const epoch = this.#epoch;
    const rules = await this.read(bucket);
    if (epoch === this.#epoch) {
      this.#entries.delete(bucket); // re-inserted last: the oldest entries go first
      if (this.#entries.size >= CORS_CACHE_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
      this.#entries.set(bucket, { rules, expires: Date.now() + CORS_CACHE_TTL_MS });
    }
    return rules;
  }

  forget(bucket: string): void {
    this.#epoch++;
    this.#entries.delete(bucket);
  }

  private async read(bucket: string): Promise<readonly CorsRule[]> {
    try {
      return await this.store.getBucketCors({ bucket });
    } catch (err) {
      if (isServiceError(err) && ['NoSuchCORSConfiguration', 'NoSuchBucket', 'InvalidBucketName', 'AccessDenied'].includes(err.code)) return [];
      throw err;
    }
  }
}

function firstHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bucketOf(request: FastifyRequest, domain: string): string | undefined {
  const q = request.url.indexOf('?');
  return addressOf(request.headers.host, q < 0 ? request.url : request.url.slice(0, q), domain).bucket;
}

function addVary(reply: FastifyReply): void {
  const present = reply.getHeader('vary');
  reply.header('vary', present === undefined ? VARY : `${String(present)}, ${VARY}`);
}

/** The headers of an allowed request or preflight. */
function allow(reply: FastifyReply, rule: CorsRule, origin: string): void {
  reply.header('access-control-allow-origin', rule.allowedOrigins.includes('*') ? '*' : origin);
  reply.header('access-control-allow-methods', rule.allowedMethods.join(', '));
  if (rule.exposeHeaders.length > 0) reply.header('access-control-expose-headers', rule.exposeHeaders.join(', '));
}

async function preflight(cache: CorsRuleCache, domain: string, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  request.routeLabel = 's3 PreflightCORS';
  addVary(reply);
  const origin = firstHeader(request, 'origin');
  if (!origin) throw new ServiceError('InvalidRequest', 'Insufficient information: a CORS preflight needs an Origin header.');
  const method = firstHeader(request, 'access-control-request-method');
  if (!method) throw new ServiceError('InvalidRequest', 'Insufficient information: a CORS preflight needs an Access-Control-Request-Method header.');
  const headers = (firstHeader(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const bucket = bucketOf(request, domain);
  const rule = bucket === undefined ? undefined : matchingRule(await cache.rulesOf(bucket), { origin, method, headers });
  if (!rule) throw new ServiceError('AccessForbidden', NOT_ALLOWED);
  allow(reply, rule, origin);
  if (headers.length > 0) reply.header('access-control-allow-headers', headers.join(', '));
  if (rule.maxAgeSeconds !== undefined) reply.header('access-control-max-age', String(rule.maxAgeSeconds));
  return reply.code(200).send();
}

/**
 * Applies the buckets' CORS rules on `app` (the S3 listener's root instance, after the authentication hook):
 * the preflight routes and the headers of allowed requests. Returns the store the S3 routes must be given,
 * which forgets cached rules as they change.
 */
export function applyBucketCors(app: FastifyInstance, store: ObjectStore, domain: string): ObjectStore {
  const cache = new CorsRuleCache(store);
  const handler = (request: FastifyRequest, reply: FastifyReply) => preflight(cache, domain, request, reply);
  // public: browsers send preflights without credentials
  app.route({ method: 'OPTIONS', url: '/', handler, config: { public: true } });
  app.route({ method: 'OPTIONS', url: '/*', handler, config: { public: true } });
  // callback style: a request without Origin costs no promise
  app.addHook('onSend', (request, reply, payload, done) => {
    const origin = firstHeader(request, 'origin');
    if (origin === undefined || request.method === 'OPTIONS') return done(null, payload);
    let bucket: string | undefined;
    try {
      bucket = bucketOf(request, domain);
    } catch {
      bucket = undefined; // an unreadable path: its error answer goes without CORS headers
    }
    if (bucket === undefined) return done(null, payload);
    cache.rulesOf(bucket).then(
      (rules) => {
        if (rules.length > 0) addVary(reply);
        const rule = matchingRule(rules, { origin, method: request.method, headers: [] });
        if (rule) allow(reply, rule, origin);
        done(null, payload);
      },
      // the headers are a courtesy to browsers: an answer never fails for them
      () => done(null, payload),
    );
  });
  return wrapStore(store, async (operation, opts, call) => {
    try {
      return await call();
    } finally {
      if (CHANGES_RULES.has(operation) && 'bucket' in opts) cache.forget(opts.bucket);
    }
  });
}
