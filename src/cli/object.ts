/** `object ...`: ls, put, get and sync live in their own files; rm, cp and mv are small enough for here. */
import { Command } from 'commander';
import { bucketPath, objectPath, type ObjectSummary } from './client.js';
import { withClient } from './context.js';
import { UsageError } from './errors.js';
import { getCommand } from './get.js';
import { lsCommand } from './list.js';
import { printLine } from './output.js';
import { baseName, destinationKey, folderPrefix, formatRemote, parseObjectPath, parseRemote } from './paths.js';
import { putCommand } from './put.js';
import { syncCommand } from './sync.js';

function rmCommand(): Command {
  return new Command('rm')
    .description('delete an object, or every object under a prefix with --recursive')
    .argument('<path>', 'bucket/key; with --recursive bucket/prefix, the prefix taken as a folder')
    .option('-r, --recursive', 'delete every key under the prefix (photos → photos/...)')
    .action(async (path: string, opts: { recursive?: boolean }, cmd: Command) => {
      const target = opts.recursive ? parseRemote(path) : parseObjectPath(path);
      if (opts.recursive && target.key === '') {
        throw new UsageError(`give a prefix to delete under (bucket/prefix); to empty a whole bucket use: bucket rm --force ${target.bucket}`);
      }
      await withClient(cmd, async (client, globals) => {
        if (opts.recursive) {
          const prefix = folderPrefix(target.key);
          const query = new URLSearchParams({ prefix }).toString();
          const { deleted } = await client.json<{ deleted: number }>('DELETE', `${bucketPath(target.bucket)}/objects?${query}`);
          if (!globals.quiet) printLine(`removed ${deleted} object(s) under ${formatRemote({ bucket: target.bucket, key: prefix })}`);
        } else {
          await client.json('DELETE', objectPath(target.bucket, target.key));
          if (!globals.quiet) printLine(`removed ${formatRemote(target)}`);
        }
      });
    });
}

/** cp and mv: one server-side copy; the destination may be a bucket or a folder (ending in /). */
function copyCommand(name: 'cp' | 'mv'): Command {
  const move = name === 'mv';
  return new Command(name)
    .description(move ? 'move an object (server-side copy, then delete the source)' : 'copy an object (server-side)')
    .argument('<source>', 'bucket/key')
    .argument('<destination>', 'bucket[/key]; a key ending in / (or no key) keeps the source name')
    .action(async (source: string, destination: string, _opts: unknown, cmd: Command) => {
      const from = parseObjectPath(source);
      const dest = parseRemote(destination);
      const to = { bucket: dest.bucket, key: destinationKey(dest.key, baseName(from.key)) };
      await withClient(cmd, async (client, globals) => {
        await client.json<ObjectSummary>('POST', '/v1/copy', { source: from, destination: to, move });
        if (!globals.quiet) printLine(`${move ? 'moved' : 'copied'} ${formatRemote(from)} -> ${formatRemote(to)}`);
      });
    });
}

export function objectCommand(): Command {
  return new Command('object')
    .description('list, upload, download, sync, delete, copy and move objects')
    .addCommand(lsCommand())
    .addCommand(putCommand())
    .addCommand(getCommand())
    .addCommand(syncCommand())
    .addCommand(rmCommand())
    .addCommand(copyCommand('cp'))
    .addCommand(copyCommand('mv'));
}
