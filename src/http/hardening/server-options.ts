/**
 * The Fastify options that shape the Node server itself: HTTPS from the configured pair, the size of a
 * request head, the timeouts, which proxies may name the client, and answers to requests the parser refuses.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { loadTlsPair, logCertificate, tlsFilesOf } from '../tls.js';
import type { FaceShapes } from '../face-shapes.js';
import { clientErrorHandler } from './client-errors.js';

export interface NodeServerOptions {
  /** One of the two: https when a certificate is configured. */
  http?: http.ServerOptions;
  https?: https.ServerOptions;
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  trustProxy?: string[];
  clientErrorHandler: ReturnType<typeof clientErrorHandler>;
}

/**
 * Spread into Fastify's options. Reads and checks the TLS pair now, so that a bad one stops the start.
 * (With `https` set Fastify builds an https.Server; its type stays http.Server, which it is compatible with.)
 */
export function nodeServerOptions(config: Config, logger: Logger, faces: FaceShapes): NodeServerOptions {
  const { limits } = config;
  const server: http.ServerOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    // how often Node looks for heads past headersTimeout (its default, 30 s, would let them run that much longer)
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
  const files = tlsFilesOf(config.tls);
  let transport: Pick<NodeServerOptions, 'http' | 'https'> = { http: server };
  if (files) {
    const pair = loadTlsPair(files);
    logCertificate(logger, pair.summary, 'serving HTTPS with the TLS certificate');
    transport = { https: { ...server, cert: pair.cert, key: pair.key, handshakeTimeout: limits.headersTimeoutMs } };
  }
  return {
    ...transport,
    // socket inactivity: idle connections go; requests in progress are judged by slow-clients.ts
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // no deadline on a whole request: a large upload takes as long as it needs while it moves (slow-clients.ts)
    requestTimeout: 0,
    ...(config.trustProxy.length > 0 ? { trustProxy: [...config.trustProxy] } : {}),
    clientErrorHandler: clientErrorHandler(limits, logger, faces),
  };
}
