#!/usr/bin/env -S node --max-semi-space-size=2
/** The `s3gate` command: `serve` runs the service; `bucket` and `object` talk to a running one over REST API v1. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { bucketCommand } from './bucket.js';
import { DEFAULT_ENDPOINT } from './context.js';
import { ROOT_EPILOG } from './help.js';
import { keysCommand } from './keys.js';
import { objectCommand } from './object.js';
import { runProgram } from './run.js';
import { serveCommand } from './serve.js';

// dist/src/cli/index.js → the package root
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The client's global options show in every client command's help (not in serve's: they mean nothing there). */
function showGlobals(command: Command): void {
  for (const sub of command.commands) {
    if (sub.name() === 'serve') continue;
    sub.configureHelp({ showGlobalOptions: true }).showHelpAfterError('(add --help for usage)');
    showGlobals(sub);
  }
}

const program = new Command('s3gate')
  .description('s3gate: an HTTP object service, and its command-line client.')
  .version(version)
  .addOption(new Option('--endpoint <url>', 'the service to talk to').env('S3GATE_ENDPOINT').default(DEFAULT_ENDPOINT))
  .addOption(new Option('--token <token>', 'access token, sent as Authorization: Bearer').env('S3GATE_TOKEN'))
  .option('-q, --quiet', 'no progress bars and no result lines; errors still go to stderr')
  .addCommand(serveCommand('serve'))
  .addCommand(bucketCommand())
  .addCommand(objectCommand())
  .addCommand(keysCommand())
  .addHelpText('after', ROOT_EPILOG)
  .showHelpAfterError('(add --help for usage)');
showGlobals(program);

await runProgram(program, process.argv);
