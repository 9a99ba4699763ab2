/** `object get`: download an object, or everything under a prefix into a folder with --recursive. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import type { ApiClient } from './client.js';
import { forEachLimit, positiveInt, withClient } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { listAll } from './list.js';
import { byteCounter } from './local.js';
import { createReporter, type Reporter } from './progress.js';
import { baseName, folderPrefix, formatRemote, isFolderKey, parseRemote, safeLocalPath } from './paths.js';
import { downloadFile } from './transfer.js';

interface GetOptions {
  recursive?: boolean;
  jobs: number;
}

interface Download {
  key: string;
  size: number;
  /** The local file; undefined for `-` (stdout). */
  dest: string | undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

async function downloadOne(client: ApiClient, bucket: string, item: Download, reporter: Reporter): Promise<void> {
  if (item.dest !== undefined) {
    await downloadFile(client, { bucket, key: item.key }, item.dest, item.size, reporter);
    reporter.line(`downloaded ${formatRemote({ bucket, key: item.key })} -> ${item.dest}`);
    return;
  }
  const { body, size } = await client.download(bucket, item.key);
  const bar = reporter.file(item.key, size ?? item.size);
  try {
    await pipeline(body, byteCounter((n) => bar.add(n)), process.stdout, { end: false });
  } finally {
    bar.done();
  }
}

/** Names each key that was not saved for not being a safe local path, then fails (exit 1) if there were any. */
export function failForUnsafeKeys(bucket: string, refused: readonly string[]): void {
  for (const key of refused) process.stderr.write(`s3gate: not saved, not a safe local path: ${formatRemote({ bucket, key })}\n`);
  if (refused.length > 0) throw new CliError(`${refused.length} object(s) not saved (see above)`, EXIT.service);
}

/** Where one key goes: `-` is stdout; into a folder (existing, or written with a trailing /) by its last segment. */
async function singleTarget(key: string, target: string | undefined): Promise<string | undefined> {
  if (target === '-') return undefined;
  const to = target ?? '.';
  if (/[\\/]$/.test(to) || (await isDirectory(to))) return join(to, baseName(key));
  return to;
}

/** Every key under the prefix, each to its place below `folder`; keys that cannot be a safe path are refused. */
async function recursivePlan(client: ApiClient, bucket: string, prefix: string, folder: string): Promise<{ items: Download[]; refused: string[] }> {
  const items: Download[] = [];
  const refused: string[] = [];
  for await (const entry of listAll(client, bucket, prefix)) {
    const suffix = entry.key.slice(prefix.length);
    // keys ending in / are folder markers; the folders come with the files below them
    if (entry.type !== 'object' || isFolderKey(suffix)) continue;
    const local = safeLocalPath(suffix);
    if (local === undefined) refused.push(entry.key);
    else items.push({ key: entry.key, size: entry.size, dest: join(folder, local) });
  }
  return { items, refused };
}

export function getCommand(): Command {
  return new Command('get')
    .description('download an object to a file (or - for stdout), or a folder tree with --recursive')
    .argument('<source>', 'bucket/key; with --recursive bucket[/prefix], the prefix taken as a folder')
    .argument('[destination]', 'file or folder (default: the current folder; - writes the bytes to stdout)')
    .option('-r, --recursive', 'download every object under the prefix, keeping the folder structure')
    .option('-j, --jobs <n>', 'files in flight at once', positiveInt, 4)
    .action(async (source: string, destination: string | undefined, options: GetOptions, cmd: Command) => {
      const { bucket, key } = parseRemote(source);
      if (!options.recursive && isFolderKey(key)) throw new UsageError(`"${source}" names a folder: add --recursive, or give bucket/key`);
      if (options.recursive && destination === '-') throw new UsageError('--recursive writes files: give a folder, not -');
      await withClient(cmd, async (client, globals) => {
        let items: Download[];
        let refused: string[] = [];
        if (options.recursive) {
          const folder = destination ?? '.';
          ({ items, refused } = await recursivePlan(client, bucket, folderPrefix(key), folder));
          for (const dir of new Set(items.map((i) => dirname(i.dest as string)))) await mkdir(dir, { recursive: true });
        } else {
          items = [{ key, size: 0, dest: await singleTarget(key, destination) }];
        }
        const total = { files: items.length, bytes: items.reduce((sum, i) => sum + i.size, 0) };
        const reporter = createReporter({
          quiet: globals.quiet === true,
          total: items.length > 1 ? total : undefined,
          stdoutIsData: destination === '-',
        });
        try {
          await forEachLimit(items, options.jobs, (item) => downloadOne(client, bucket, item, reporter));
        } finally {
          reporter.stop();
        }
        failForUnsafeKeys(bucket, refused);
      });
    });
}
