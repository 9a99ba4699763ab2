/** `bucket ls | create | rm`. */
import { Command } from 'commander';
import type { Bucket } from './client.js';
import { bucketPath } from './client.js';
import { withClient } from './context.js';
import { printJson, printLine } from './output.js';

function lsCommand(): Command {
  return new Command('ls')
    .description('list buckets: "<creationDate> <name>" a line')
    .option('--json', 'one JSON object a line: {"name","creationDate"}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withClient(cmd, async (client) => {
        const { buckets } = await client.listBuckets();
        for (const bucket of buckets) {
          if (opts.json) printJson(bucket);
          else printLine(`${bucket.creationDate} ${bucket.name}`);
        }
      });
    });
}

function createCommand(): Command {
  return new Command('create')
    .alias('mb')
    .description('create a bucket')
    .argument('<name>', 'bucket name: 3-63 lower-case letters, digits, dots and hyphens')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await withClient(cmd, async (client, globals) => {
        await client.json<Bucket>('PUT', bucketPath(name));
        if (!globals.quiet) printLine(`created ${name}`);
      });
    });
}

function rmCommand(): Command {
  return new Command('rm')
    .alias('rb')
    .description('delete a bucket; it must be empty unless --force')
    .argument('<name>', 'bucket name')
    .option('--force', 'delete every object in it first')
    .action(async (name: string, opts: { force?: boolean }, cmd: Command) => {
      await withClient(cmd, async (client, globals) => {
        await client.json('DELETE', `${bucketPath(name)}${opts.force ? '?force=true' : ''}`);
        if (!globals.quiet) printLine(`removed ${name}`);
      });
    });
}

export function bucketCommand(): Command {
  return new Command('bucket')
    .description('list, create and delete buckets')
    .addCommand(lsCommand())
    .addCommand(createCommand())
    .addCommand(rmCommand());
}
