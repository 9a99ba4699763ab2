/**
 * Runs the service in this process: store → app → listen; SIGTERM/SIGINT drain gracefully, SIGHUP reloads
 * the TLS certificate and the access keys.
 */
import { buildApp } from './app.js';
import { anonymousWarning } from './auth/protected.js';
import { type ConfigReader, reloadKeys } from './auth/reload.js';
import { redactedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { reloadTls } from './http/tls.js';
import { createLogger, exitOnUncaughtErrors } from './logger.js';
import { createStore } from './storage/create.js';

/**
 * Starts serving and resolves once listening. The process exits 0 after a clean drain, 1 otherwise.
 * `reread` loads the configuration again from its sources, for SIGHUP (src/auth/reload.ts).
 * Tests (test/helpers/child-server.ts) find the listener by the info line's "address" field.
 */
export async function serve(config: Config, reread: ConfigReader = () => config): Promise<void> {
  const logger = createLogger(config);
  exitOnUncaughtErrors(logger);

  const store = await createStore(config);
  const app = await buildApp({ config, store, logger });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: closing remaining connections');
      app.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
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
    reloadTls(app.server, config.tls, logger); // a new certificate, no dropped connection
    reloadKeys(app.accessKeys ?? null, reread, logger); // new requests get the new keys
  });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address, config: redactedConfig(config) }, `s3gate listening on ${address} (${store.kind} store)`);
  const anonymous = anonymousWarning(config);
  if (anonymous) logger.warn(anonymous);
}
