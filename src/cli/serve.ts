/**
 * The service's flags, in one table, shared by `npm start` (src/main.ts) and `s3gate serve` (src/cli/index.ts).
 */
import { Command, Option } from 'commander';
import type { ConfigReader } from '../auth/reload.js';
import { ConfigError, type ConfigSources, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { serve } from '../server.js';
import { EXIT } from './errors.js';

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
  ['--tls-cert-file <file>', 'tls.certFile', 'serve HTTPS with this certificate chain, PEM (S3GATE_TLS_CERT_FILE)'],
  ['--tls-key-file <file>', 'tls.keyFile', 'and this private key, PEM (S3GATE_TLS_KEY_FILE)'],
];

export const SERVE_DESCRIPTION = 'Serve buckets and objects over HTTP from local disk or an S3-compatible store.';

/** A command named `name` that takes the service's flags and serves with them. */
export function serveCommand(name: string): Command {
  const command = new Command(name)
    .description(SERVE_DESCRIPTION)
    .option('--config <file>', 'JSON config file (S3GATE_CONFIG)')
    .option('--allow-anonymous', 'listen beyond loopback without access keys (S3GATE_ALLOW_ANONYMOUS)')
    .showHelpAfterError()
    .addHelpText('after', '\nEvery setting also has an S3GATE_* environment variable; flags win over them.')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const sources = sourcesFromOptions(opts, cmd);
      await serveWith(configFrom(sources), () => loadConfig(sources)); // SIGHUP re-reads the same sources
    });
  for (const [flag, , help] of FLAGS) command.addOption(new Option(flag, help));
  return command;
}

function sourcesFromOptions(values: Record<string, unknown>, command: Command): ConfigSources {
  const flags: Record<string, unknown> = {};
  for (const [flag, path] of FLAGS) {
    const name = command.options.find((o) => o.flags === flag)?.attributeName();
    if (name !== undefined) flags[path] = values[name];
  }
  if (values['allowAnonymous'] === true) flags['allowAnonymous'] = true;
  return { env: process.env, file: values['config'] as string | undefined, flags };
}

function configFrom(sources: ConfigSources): Config {
  try {
    return loadConfig(sources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`s3gate: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
}

async function serveWith(config: Config, reread: ConfigReader): Promise<void> {
  try {
    await serve(config, reread);
  } catch (err) {
    process.stderr.write(`s3gate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
