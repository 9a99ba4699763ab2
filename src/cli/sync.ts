/**
 * `object sync <src> <dest>`: makes a bucket prefix hold what a local folder holds, or the other way round,
 * copying only what differs (sync-plan.ts). Deletions (--delete) come after every copy has succeeded. A run
 * that was interrupted is resumed by running it again: what already arrived is unchanged and skipped.
 */
import { mkdir, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { Command } from 'commander';
import { bucketPath, type ApiClient } from './client.js';
import { collect, forEachLimit, positiveInt, withClient } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { excluder } from './exclude.js';
import { failForUnsafeKeys } from './get.js';
import { SYNC_HELP } from './help.js';
import { printLine } from './output.js';
import { folderPrefix, formatRemote, parseRemote } from './paths.js';
import { createReporter, notice, type Reporter } from './progress.js';
import { planDownload, planUpload, type Copy, type RemoteFolder, type SyncPlan } from './sync-plan.js';
import { downloadFile, guessContentType, uploadFile } from './transfer.js';

interface SyncOptions {
  delete?: boolean;
  exclude?: string[];
  dryRun?: boolean;
  jobs: number;
}

type Sides = { upload: true; folder: string; remote: RemoteFolder } | { upload: false; remote: RemoteFolder; folder: string };

/** Keys deleted per request (the batch delete's limit). */
const DELETE_BATCH = 1000;

/** Written as a local path: absolute, or starting with . or .. (a bucket name cannot). */
function writtenAsLocal(arg: string): boolean {
  return isAbsolute(arg) || arg === '.' || arg === '..' || /^\.\.?[\\/]/.test(arg);
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** Which argument is the local folder: the one written as a local path, else the one that is an existing folder. */
async function localSide(src: string, dest: string): Promise<'src' | 'dest'> {
  const written = [writtenAsLocal(src), writtenAsLocal(dest)];
  if (written[0] && written[1]) throw new UsageError('both sides are local folders: one must be bucket[/prefix]');
  if (written[0] !== written[1]) return written[0] ? 'src' : 'dest';
  const existing = [await isFolder(src), await isFolder(dest)];
  if (existing[0] !== existing[1]) return existing[0] ? 'src' : 'dest';
  throw new UsageError(`cannot tell which side is the local folder: write it as ./${existing[0] ? src : dest} or as an absolute path`);
}

async function resolveSides(src: string, dest: string): Promise<Sides> {
  const upload = (await localSide(src, dest)) === 'src';
  const folder = upload ? src : dest;
  const { bucket, key } = parseRemote(upload ? dest : src);
  const remote = { bucket, prefix: key === '' ? '' : folderPrefix(key) };
  const info = await stat(folder).catch(() => undefined);
  if (upload && info === undefined) throw new UsageError(`no such folder: ${folder}`);
  if (info !== undefined && !info.isDirectory()) throw new UsageError(`not a folder: ${folder} (sync works on folders; use put or get for one file)`);
  return upload ? { upload, folder, remote } : { upload, remote, folder };
}

async function copyOne(client: ApiClient, sides: Sides, copy: Copy, reporter: Reporter, madeFolders: Set<string>): Promise<void> {
  const remote = { bucket: sides.remote.bucket, key: sides.remote.prefix + copy.relative };
  if (sides.upload) {
    await uploadFile(client, remote, copy, { 'content-type': guessContentType(copy.path) }, reporter);
    reporter.line(`upload ${copy.path} -> ${formatRemote(remote)}`);
    return;
  }
  const folder = dirname(copy.path);
  if (!madeFolders.has(folder)) {
    await mkdir(folder, { recursive: true });
    madeFolders.add(folder);
  }
  await downloadFile(client, remote, copy.path, copy.size, reporter);
  reporter.line(`download ${formatRemote(remote)} -> ${copy.path}`);
}

/** Deletes the keys in batches; a key already gone counts as deleted. Returns the keys that could not be. */
async function deleteKeys(client: ApiClient, bucket: string, keys: string[], deleted: (key: string) => void): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const result = await client.json<{ deleted: string[]; errors: Array<{ key: string; code: string; message: string }> }>('POST', `${bucketPath(bucket)}/delete`, { keys: batch });
    for (const key of result.deleted) deleted(key);
    for (const error of result.errors) {
      if (error.code === 'NoSuchKey') deleted(error.key);
      else {
        notice(`not deleted: ${formatRemote({ bucket, key: error.key })}: ${error.code}: ${error.message}`);
        failed.push(error.key);
      }
    }
  }
  return failed;
}

async function deleteFiles(paths: string[], deleted: (path: string) => void): Promise<void> {
  for (const path of paths) {
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    deleted(path);
  }
}

function summary(sides: Sides, plan: SyncPlan, deleted: number, dryRun: boolean): string {
  const unchanged = `${plan.unchanged} unchanged${plan.bySizeOnly > 0 ? ` (${plan.bySizeOnly} compared by size only)` : ''}`;
  const verb = sides.upload ? 'upload' : 'download';
  if (dryRun) return `dry run: ${plan.copies.length} to ${verb}, ${unchanged}, ${plan.deletes.length} to delete; nothing changed`;
  return `synced: ${plan.copies.length} ${verb}ed, ${unchanged}, ${deleted} deleted`;
}

/** What a deletion target is called in the output: bucket/key, or the local path. */
function deletionName(sides: Sides, target: string): string {
  return sides.upload ? formatRemote({ bucket: sides.remote.bucket, key: target }) : target;
}

function printPlan(sides: Sides, plan: SyncPlan): void {
  for (const copy of plan.copies) {
    const remote = formatRemote({ bucket: sides.remote.bucket, key: sides.remote.prefix + copy.relative });
    printLine(sides.upload ? `(dry run) upload ${copy.path} -> ${remote}` : `(dry run) download ${remote} -> ${copy.path}`);
  }
  for (const target of plan.deletes) printLine(`(dry run) delete ${deletionName(sides, target)}`);
}

/** The copies, then (once they have all succeeded) the deletions; returns how many were deleted. */
async function carryOut(client: ApiClient, sides: Sides, plan: SyncPlan, jobs: number, quiet: boolean): Promise<number> {
  const total = { files: plan.copies.length, bytes: plan.copies.reduce((sum, c) => sum + c.size, 0) };
  const reporter = createReporter({ quiet, total: plan.copies.length > 1 ? total : undefined });
  const madeFolders = new Set<string>();
  try {
    await forEachLimit(plan.copies, jobs, (copy) => copyOne(client, sides, copy, reporter, madeFolders));
  } finally {
    reporter.stop();
  }
  let deleted = 0;
  const onDeleted = (target: string) => {
    deleted++;
    if (!quiet) printLine(`delete ${deletionName(sides, target)}`);
  };
  if (!sides.upload) {
    await deleteFiles(plan.deletes, onDeleted);
    return deleted;
  }
  const failed = await deleteKeys(client, sides.remote.bucket, plan.deletes, onDeleted);
  if (failed.length > 0) throw new CliError(`${failed.length} key(s) not deleted (see above)`, EXIT.service);
  return deleted;
}

export function syncCommand(): Command {
  return new Command('sync')
    .description('copy what differs between a local folder and bucket[/prefix], either way')
    .argument('<source>', 'local folder or bucket[/prefix]')
    .argument('<destination>', 'bucket[/prefix] or local folder (created if missing)')
    .option('--delete', 'also delete destination files or keys that the source does not have (after the copies)')
    .option('--exclude <glob>', 'leave out matching paths, on both sides; repeatable (syntax below)', collect)
    .option('--dry-run', 'print what would be uploaded, downloaded and deleted; change nothing')
    .option('-j, --jobs <n>', 'files compared or in flight at once', positiveInt, 4)
    .addHelpText('after', SYNC_HELP)
    .action(async (source: string, destination: string, options: SyncOptions, cmd: Command) => {
      const sides = await resolveSides(source, destination);
      const planOptions = {
        excluded: excluder(options.exclude ?? []),
        delete: options.delete === true,
        jobs: options.jobs,
        skipped: (path: string) => notice(`skipped (not a file): ${path}`),
      };
      await withClient(cmd, async (client, globals) => {
        const quiet = globals.quiet === true;
        const plan = sides.upload
          ? await planUpload(client, sides.folder, sides.remote, planOptions)
          : await planDownload(client, sides.remote, sides.folder, planOptions);
        if (options.dryRun) {
          if (!quiet) {
            printPlan(sides, plan);
            printLine(summary(sides, plan, 0, true));
          }
        } else {
          const deleted = await carryOut(client, sides, plan, options.jobs, quiet);
          if (!quiet) printLine(summary(sides, plan, deleted, false));
        }
        failForUnsafeKeys(sides.remote.bucket, plan.refused);
      });
    });
}
