#!/usr/bin/env node
/** Process entry: config → store → app → listen; graceful shutdown on SIGTERM/SIGINT. */
import { Command, Option } from 'commander';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, redactedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { createLogger } from './logger.js';
import { createStore } from './storage/create.js';

/** Flag → setting path; each flag overrides the environment and the config file. */
const FLAGS: Array<[flag: string, path: string, help: string]> = [
  ['--host <host>', 'host', 'address to listen on (S3GATE_HOST, default 127.0.0.1)'],
  ['--port <port>', 'port', 'port to listen on (S3GATE_PORT, default 9090)'],
  ['--store <kind>', 'store', 'fs (local disk, default) or s3 (S3GATE_STORE)'],
  ['--data-dir <dir>', 'dataDir', 'fs store folder (S3GATE_DATA_DIR, default ./data)'],
  ['--max-object-size <size>', 'maxObjectSize', 'largest upload, e.g. 5GiB (S3GATE_MAX_OBJECT_SIZE)'],
  ['--log-level <level>', 'logLevel', 'fatal|error|warn|info|debug|trace|silent (S3GATE_LOG_LEVEL)'],
  ['--s3-endpoint <url>', 's3.endpoint', 'S3-compatible endpoint; omit for AWS (S3GATE_S3_ENDPOINT)'],
  ['--s3-region <region>', 's3.region', 'S3 region (S3GATE_S3_REGION, default us-east-1)'],
  ['--s3-force-path-style <bool>', 's3.forcePathStyle', 'path-style bucket URLs (S3GATE_S3_FORCE_PATH_STYLE)'],
  ['--s3-ca-file <file>', 's3.caFile', 'extra CA bundle (PEM) to trust (S3GATE_S3_CA_FILE)'],
];

function parseFlags(argv: string[]): { file?: string | undefined; flags: Record<string, unknown> } {
  const program = new Command('s3gate')
    .description('Serve buckets and objects over HTTP from local disk or an S3-compatible store.')
    .option('--config <file>', 'JSON config file (S3GATE_CONFIG)')
    .option('--allow-anonymous', 'listen beyond loopback without access keys (S3GATE_ALLOW_ANONYMOUS)')
    .showHelpAfterError();
  for (const [flag, , help] of FLAGS) program.addOption(new Option(flag, help));
  program.parse(argv);
  const values = program.opts<Record<string, unknown>>();
  const flags: Record<string, unknown> = {};
  for (const [flag, path] of FLAGS) {
    const name = program.options.find((o) => o.flags === flag)?.attributeName();
    if (name !== undefined) flags[path] = values[name];
  }
  if (values['allowAnonymous'] === true) flags['allowAnonymous'] = true;
  return { file: values['config'] as string | undefined, flags };
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });

  const store = await createStore(config);
  const app = await buildApp({ config, store, logger });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address, config: redactedConfig(config) }, `s3gate listening on ${address} (${store.kind} store)`);

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
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const { file, flags } = parseFlags(process.argv);
  let config: Config;
  try {
    config = loadConfig({ env: process.env, file, flags });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`s3gate: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  await serve(config);
}

main().catch((err: unknown) => {
  process.stderr.write(`s3gate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
