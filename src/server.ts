/**
 * Runs the service in this process: store → core (built once) → one app per listener → listen;
 * SIGTERM/SIGINT drain every listener gracefully, SIGHUP reloads the access keys (once, in the core) and the
 * TLS certificate of every listener.
 */
import { networkInterfaces } from 'node:os';
import { buildApp } from './app.js';
import { buildS3App } from './s3-app.js';
import { anonymousWarning } from './config/protected.js';
import type { ConfigReader } from './auth/reload.js';
import { buildCore } from './core/core.js';
import { redactedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { reloadTls } from './http/tls.js';
import { createLogger, exitOnUncaughtErrors } from './logger.js';
import { createStore } from './core/create-store.js';

export interface ServeOptions {
  /** Loads the configuration again from its sources, for SIGHUP (src/auth/reload.ts). */
  reread?: ConfigReader;
  /** Problems of the sources that did not stop the start (a misspelt variable), logged as warnings. */
  warnings?: string[];
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** Where clients reach a listener: every interface's address when it listens on all of them. */
function reachableAt(address: string, host: string): string[] {
  const url = new URL(address);
  const v6 = host === '::';
  if (!isWildcard(host)) return [address];
  const interfaces = Object.values(networkInterfaces()).flat();
  return interfaces
    .filter((i) => i !== undefined && (i.family === 'IPv4' || (v6 && !i.address.startsWith('fe80'))))
    .map((i) => `${url.protocol}//${i?.family === 'IPv6' ? `[${i.address}]` : i?.address}:${url.port}`);
}

/** What the start line says of the store: where the objects are. */
function storeSummary(config: Config): string {
  if (config.store === 'fs') return `fs store in ${config.dataDir}`;
  return `s3 store at ${config.s3.endpoint ?? `AWS ${config.s3.region}`}`;
}

/**
 * Starts serving and resolves once listening. The process exits 0 after a clean drain, 1 otherwise.
 * One info line says where it listens and on what store; the whole configuration goes to the debug level
 * (`--print-config` shows it without starting). Tests (test/helpers/child-server.ts) find the listener by
 * the start line's "address" field.
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const reread = options.reread ?? (() => config);
  const logger = createLogger(config);
  exitOnUncaughtErrors(logger);
  for (const warning of options.warnings ?? []) logger.warn(warning);

  const store = await createStore(config, logger);
  const core = buildCore({ config, store, logger });
  const app = await buildApp(core);
  // every listener is built from the one core
  const s3app = config.s3api.enabled ? await buildS3App(core) : undefined;
  const apps = s3app ? [app, s3app] : [app];

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: closing remaining connections');
      for (const each of apps) each.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    Promise.all(apps.map((each) => each.close()))
      .then(() => core.stop()) // the share-link sweep, before the store it works on closes
      .then(() => store.close())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      });
  };
  // before the start line: whoever reads it may signal at once (and the default action of each is to exit)
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    for (const each of apps) reloadTls(each.server, config.tls, logger); // a new certificate, no dropped connection
    core.reloadKeys(reread); // new requests on every listener get the new keys
  });
  const first = await app.listen({ host: config.host, port: config.port });
  const s3Address = s3app ? await s3app.listen({ host: config.s3api.host, port: config.s3api.port }) : undefined;
  core.start();
  const addresses = reachableAt(first, config.host);
  const address = addresses.find((a) => a.includes('//127.0.0.1:')) ?? first;
  const where = isWildcard(config.host) ? `every address (${config.host}), port ${new URL(first).port}: ${addresses.join(', ')}` : first;
  logger.debug({ config: redactedConfig(config) }, 'configuration in effect');
  // without keys nothing is checked: say so where the S3 clients' users look first
  const unchecked = config.auth.keys.length === 0 ? ' (no access keys: any signature, or none, is accepted)' : '';
  const s3Where = s3Address ? `; S3 API on ${s3Address}${unchecked}` : '';
  logger.info({ address, addresses, s3Address }, `s3gate listening on ${where}${s3Where}; ${storeSummary(config)}`);
  const anonymous = anonymousWarning(config);
  if (anonymous) logger.warn(anonymous);
}
