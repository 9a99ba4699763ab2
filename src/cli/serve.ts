/**
 * The service's command line, shared by `npm start` (src/main.ts) and `s3gate serve` (src/cli/index.ts):
 * flags for the settings used most, every setting's S3GATE_* variable in the help (from the loader's own
 * table, src/config/docs.ts), and --print-config.
 */
import { Command, Option } from 'commander';
import type { ConfigReader } from '../auth/reload.js';
import { settingDocs, settingsHelp, type SettingDoc } from '../config/docs.js';
import { ConfigError, type ConfigSources, loadConfig, redactedConfig, unknownEnvironmentSettings } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { serve } from '../server.js';
import { EXIT } from './errors.js';

/**
 * Flag → setting path; each flag overrides the environment and the config file. A boolean setting's flag
 * takes no value (`--s3-force-path-style`), and its `--no-` form sets it off.
 */
const FLAGS: Array<[flag: string, path: string]> = [
  ['--host <host>', 'host'],
  ['--port <port>', 'port'],
  ['--store <kind>', 'store'],
  ['--data-dir <dir>', 'dataDir'],
  ['--max-object-size <size>', 'maxObjectSize'],
  ['--log-level <level>', 'logLevel'],
  ['--log-format <format>', 'logFormat'],
  ['--allow-anonymous', 'allowAnonymous'],
  ['--s3-endpoint <url>', 's3.endpoint'],
  ['--s3-region <region>', 's3.region'],
  ['--s3-force-path-style', 's3.forcePathStyle'],
  ['--s3-ca-file <file>', 's3.caFile'],
  ['--tls-cert-file <file>', 'tls.certFile'],
  ['--tls-key-file <file>', 'tls.keyFile'],
];

export const SERVE_DESCRIPTION = 'Serve buckets and objects over HTTP from local disk or an S3-compatible store.';

function flagHelp(doc: SettingDoc | undefined): string {
  if (!doc) return '';
  const origin = doc.defaultText === undefined ? doc.env : `${doc.env}, default ${doc.defaultText}`;
  return `${doc.help ?? ''} (${origin})`;
}

/** A command named `name` that takes the service's flags and serves with them. */
export function serveCommand(name: string): Command {
  const docs = new Map(settingDocs().map((doc) => [doc.path, doc]));
  const command = new Command(name)
    .description(SERVE_DESCRIPTION)
    .option('--config <file>', 'JSON config file (S3GATE_CONFIG); it holds the settings below by their path')
    .option('--print-config', 'print the configuration these sources make (secrets redacted) and exit')
    .showHelpAfterError()
    .addHelpText('after', `\nSettings, as S3GATE_* environment variables (flags win over them, and they over the config file):\n${settingsHelp()}`)
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const sources = sourcesFromOptions(opts, cmd);
      const config = configFrom(sources);
      if (opts['printConfig'] === true) {
        process.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
        return;
      }
      // SIGHUP re-reads the same sources
      await serveWith(config, () => loadConfig(sources), unknownEnvironmentSettings(process.env));
    });
  for (const [flag, path] of FLAGS) {
    const doc = docs.get(path);
    command.addOption(new Option(flag, flagHelp(doc)));
    if (doc?.kind === 'bool') command.addOption(new Option(flag.replace(/^--/, '--no-'), `turn it off (${doc.env}=false)`));
  }
  return command;
}

function sourcesFromOptions(values: Record<string, unknown>, command: Command): ConfigSources {
  const flags: Record<string, unknown> = {};
  for (const [flag, path] of FLAGS) {
    const name = command.options.find((o) => o.flags === flag)?.attributeName();
    if (name !== undefined) flags[path] = values[name];
  }
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

async function serveWith(config: Config, reread: ConfigReader, warnings: string[]): Promise<void> {
  try {
    await serve(config, { reread, warnings });
  } catch (err) {
    process.stderr.write(`s3gate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
