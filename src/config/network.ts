/**
 * Network settings of the main listener: TLS, request size limits and slow-client timeouts, rate limits,
 * CORS, and which proxies may name the client address. Spread into the main schema (schema.ts) and the
 * environment table (load.ts). How each is enforced: src/http/tls.ts and src/http/hardening/.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { int, list, size } from './fields.js';

export const NETWORK_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_TLS_CERT_FILE: 'tls.certFile',
  S3GATE_TLS_KEY_FILE: 'tls.keyFile',
  S3GATE_MAX_HEADER_SIZE: 'limits.maxHeaderSize',
  S3GATE_MAX_URL_LENGTH: 'limits.maxUrlLength',
  S3GATE_HEADERS_TIMEOUT_MS: 'limits.headersTimeoutMs',
  S3GATE_IDLE_TIMEOUT_MS: 'limits.idleTimeoutMs',
  S3GATE_MIN_TRANSFER_RATE: 'limits.minTransferRate',
  S3GATE_KEEP_ALIVE_TIMEOUT_MS: 'limits.keepAliveTimeoutMs',
  S3GATE_RATE_LIMIT_PER_ADDRESS: 'rateLimit.perAddress',
  S3GATE_RATE_LIMIT_PER_KEY: 'rateLimit.perKey',
  S3GATE_RATE_LIMIT_WINDOW_MS: 'rateLimit.windowMs',
  S3GATE_TRUST_PROXY: 'trustProxy',
  S3GATE_CORS_ORIGINS: 'cors.origins',
  S3GATE_CORS_MAX_AGE: 'cors.maxAgeSeconds',
};

const tlsSchema = z
  .object({
    /** PEM certificate (the chain may follow it); with keyFile, the listener serves HTTPS. */
    certFile: z.string().min(1).describe('serve HTTPS with this PEM certificate (its chain may follow it)'),
    keyFile: z.string().min(1).describe("and this PEM private key"),
  })
  .partial()
  .strict()
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
    message: 'certFile and keyFile go together (S3GATE_TLS_CERT_FILE, S3GATE_TLS_KEY_FILE): set both or neither',
  });

const limitsSchema = z
  .object({
    /** Request line and headers together (Node counts both): larger requests get 431. */
    maxHeaderSize: size.default(16 * 1024).describe('request line and headers together; larger: 431'),
    /** Longest request target (path and query) accepted: longer ones get 414. */
    maxUrlLength: size.default(8 * 1024).describe('request target (path and query); longer: 414'),
    /** A client must send a whole request head within this (also bounds the TLS handshake). */
    headersTimeoutMs: int(100, 600_000).default(20_000).describe('a request head (and a TLS handshake) must arrive within this (ms); else 408'),
    /** While a client owes bytes (a body to send, a response to read), each window this long must move some. */
    idleTimeoutMs: int(100, 3_600_000).default(30_000).describe('while a client owes bytes, each window this long must move some (ms)'),
    /** ...and at least this many bytes per second on average over the window; 0 = any progress will do. */
    minTransferRate: size.default(1024).describe('and at least this many bytes a second over the window; 0 = any progress'),
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: int(100, 3_600_000).default(72_000).describe('an idle keep-alive connection is closed after this (ms)'),
  })
  .strict()
  .refine((l) => l.maxUrlLength < l.maxHeaderSize, {
    message: 'maxUrlLength must be below maxHeaderSize (the request line counts toward the header size)',
    path: ['maxUrlLength'],
  })
  .refine((l) => l.maxHeaderSize >= 1024, { message: 'maxHeaderSize must be at least 1KiB', path: ['maxHeaderSize'] });

const rateLimitSchema = z
  .object({
    /** Requests per window from one client address (IPv6: per /64); 0 = no limit. */
    perAddress: int(0, 1e9).default(6_000).describe('requests per window from one client address (IPv6: per /64; loopback: not limited); 0 = no limit'),
    /** Requests per window made with one access key, from any address; 0 = no limit. */
    perKey: int(0, 1e9).default(12_000).describe('requests per window made with one access key, from any address; 0 = no limit'),
    windowMs: int(1_000, 86_400_000).default(60_000).describe('the rate limit window (ms)'),
  })
  .strict();

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

const corsSchema = z
  .object({
    /** Exact origins allowed to call the service from a browser; none = CORS off. */
    origins: list
      .default([])
      .refine((origins) => origins.every(isOrigin), {
        message: 'each origin is exactly scheme://host[:port], e.g. https://app.example.com (no path, no "*")',
      })
      .describe('origins (comma-separated) allowed to call the service from a browser; none = CORS off'),
    maxAgeSeconds: int(0, 86_400).default(600).describe('how long a browser may cache a preflight answer (s)'),
  })
  .strict();

/** An address, or a CIDR block like 10.0.0.0/8. */
function isAddressOrBlock(text: string): boolean {
  const [address = '', bits, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

export const networkShape = {
  tls: tlsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  rateLimit: rateLimitSchema.prefault({}),
  cors: corsSchema.prefault({}),
  /**
   * Proxies trusted to name the client in X-Forwarded-For (addresses or CIDR blocks). Behind a reverse
   * proxy, list it here, or every request counts against the proxy's address. None by default: a client
   * could otherwise pick the address it is rate limited by.
   */
  trustProxy: list.default([]).refine((items) => items.every(isAddressOrBlock), {
    message: 'each entry is an IP address or a CIDR block, e.g. 10.0.0.0/8',
  })
    .describe('proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client'),
};

export type TlsSettings = z.output<typeof tlsSchema>;
export type LimitSettings = z.output<typeof limitsSchema>;
export type RateLimitSettings = z.output<typeof rateLimitSchema>;
export type CorsSettings = z.output<typeof corsSchema>;
