/** `object ls`, and the paged listing that recursive downloads share. */
import { Command } from 'commander';
import type { ApiClient, ListedObject } from './client.js';
import { withClient } from './context.js';
import { UsageError } from './errors.js';
import { printJson, printLine } from './output.js';
import { parseRemote } from './paths.js';

export type ListEntry = ({ type: 'object' } & ListedObject) | { type: 'folder'; key: string };

/** Every entry under `prefix`, page after page with the cursor; folders only when a delimiter is given. */
export async function* listAll(client: ApiClient, bucket: string, prefix: string, delimiter?: string): AsyncGenerator<ListEntry> {
  let cursor: string | undefined;
  do {
    const page = await client.listObjects(bucket, { prefix: prefix || undefined, delimiter, cursor });
    yield* mergeByKey(page.objects, page.folders);
    cursor = page.isTruncated ? page.nextCursor : undefined;
  } while (cursor !== undefined);
}

/** One page's objects and folders in one sequence, in the service's order (UTF-8 byte order of keys). */
function* mergeByKey(objects: ListedObject[], folders: string[]): Generator<ListEntry> {
  let f = 0;
  for (const object of objects) {
    while (f < folders.length && Buffer.compare(Buffer.from(folders[f] as string), Buffer.from(object.key)) < 0) {
      yield { type: 'folder', key: folders[f++] as string };
    }
    yield { type: 'object', ...object };
  }
  for (; f < folders.length; f++) yield { type: 'folder', key: folders[f] as string };
}

/** `2024-05-01T10:00:00.000Z        1234 photos/cat.png`, and `PRE` in the size column for a folder. */
function formatEntry(entry: ListEntry): string {
  if (entry.type === 'folder') return `${''.padEnd(24)} ${'PRE'.padStart(12)} ${entry.key}`;
  return `${entry.lastModified.padEnd(24)} ${String(entry.size).padStart(12)} ${entry.key}`;
}

export function lsCommand(): Command {
  return new Command('ls')
    .description('list the objects of a bucket, by prefix; folders (common prefixes) unless --recursive')
    .argument('<bucket[/prefix]>', 'bucket, optionally with a key prefix (a plain string prefix: photos/ or photos/2024-)')
    .argument('[prefix]', 'the key prefix, as a second argument instead')
    .option('-r, --recursive', 'every key under the prefix, no folders')
    .option('--json', 'one JSON object a line: {"type":"object","key","size","etag","lastModified"} or {"type":"folder","key"}')
    .action(async (path: string, extra: string | undefined, opts: { recursive?: boolean; json?: boolean }, cmd: Command) => {
      const { bucket, key } = parseRemote(path);
      if (extra !== undefined && key !== '') throw new UsageError('give the prefix once: bucket/prefix or bucket prefix');
      const prefix = extra ?? key;
      await withClient(cmd, async (client) => {
        for await (const entry of listAll(client, bucket, prefix, opts.recursive ? undefined : '/')) {
          if (opts.json) printJson(entry);
          else printLine(formatEntry(entry));
        }
      });
    });
}
