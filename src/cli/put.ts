/** `object put`: upload a file, or a folder tree with --recursive, streaming each file with its length. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command } from 'commander';
import type { ApiClient } from './client.js';
import { collect, forEachLimit, positiveInt, withClient } from './context.js';
import { UsageError } from './errors.js';
import { walkTree, type LocalFile } from './local.js';
import { createReporter, notice, showsBars, type Reporter } from './progress.js';
import { printLine } from './output.js';
import { destinationKey, folderPrefix, formatRemote, isFolderKey, parseRemote, toKeySuffix, type RemotePath } from './paths.js';
import { guessContentType, uploadFile } from './transfer.js';

interface PutOptions {
  recursive?: boolean;
  contentType?: string;
  meta?: string[];
  jobs: number;
}

interface Upload {
  file: LocalFile;
  key: string;
}

/** `--meta k=v` → `x-amz-meta-k: v`; names are HTTP tokens, values printable ASCII (they travel as headers). */
function metadataHeaders(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (eq < 1 || !/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`--meta wants name=value with a name of letters, digits, - and _: "${pair}"`);
    if (!/^[\x20-\x7e]*$/.test(value)) throw new UsageError(`--meta ${name}: the value must be printable ASCII`);
    headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  }
  return headers;
}

const skippedNotice = (path: string) => notice(`skipped (not a file): ${path}`);

/** What to upload: the file itself, or every file below the folder (with --recursive), streamed as found. */
async function plan(source: string, dest: { key: string }, recursive: boolean): Promise<{ uploads: Iterable<Upload> | AsyncIterable<Upload>; folder: boolean }> {
  const info = await stat(source).catch(() => {
    throw new UsageError(`no such file or folder: ${source}`);
  });
  if (info.isFile()) {
    const file = { path: source, relative: basename(source), size: info.size };
    return { uploads: [{ file, key: destinationKey(dest.key, basename(source)) }], folder: false };
  }
  if (!info.isDirectory()) throw new UsageError(`not a file or folder: ${source}`);
  if (!recursive) throw new UsageError(`${source} is a folder: add --recursive to upload what it holds`);
  return { uploads: uploadsBelow(source, dest.key === '' ? '' : folderPrefix(dest.key)), folder: true };
}

/** Held one at a time, never as a list: a folder of millions of files costs no more memory than one of ten. */
async function* uploadsBelow(folder: string, prefix: string): AsyncGenerator<Upload> {
  for await (const file of walkTree(folder, skippedNotice)) yield { file, key: prefix + toKeySuffix(file.relative) };
}

/** The files and bytes below a folder, for the total bar (a walk of its own: the uploads are not listed ahead). */
async function folderTotal(folder: string): Promise<{ files: number; bytes: number }> {
  const total = { files: 0, bytes: 0 };
  for await (const file of walkTree(folder, () => {})) {
    total.files++;
    total.bytes += file.size;
  }
  return total;
}

async function uploadOne(client: ApiClient, bucket: string, upload: Upload, headers: Record<string, string>, reporter: Reporter, options: PutOptions): Promise<void> {
  const { file, key } = upload;
  const type = options.contentType ?? guessContentType(file.path);
  await uploadFile(client, { bucket, key }, file, { ...headers, 'content-type': type }, reporter);
  reporter.line(`uploaded ${file.path} -> ${formatRemote({ bucket, key })}`);
}

/** `put - bucket/key`: stdin, of unknown length, sent chunked; no bar (there is no total to show). */
async function uploadStdin(cmd: Command, dest: RemotePath, headers: Record<string, string>): Promise<void> {
  if (isFolderKey(dest.key)) throw new UsageError('stdin (-) has no name: give the destination as bucket/key');
  await withClient(cmd, async (client, globals) => {
    await client.upload(dest.bucket, dest.key, process.stdin, undefined, headers);
    if (!globals.quiet) printLine(`uploaded - -> ${formatRemote(dest)}`);
  });
}

export function putCommand(): Command {
  return new Command('put')
    .description('upload a file, or the files of a folder tree with --recursive')
    .argument('<source>', 'local file or folder; - reads stdin (then give bucket/key)')
    .argument('<destination>', 'bucket[/key]; a key ending in / (or no key) is a folder to upload into')
    .option('-r, --recursive', 'upload every file below the source folder, under the destination prefix')
    .option('--content-type <type>', 'Content-Type of every file (default: guessed from its extension)')
    .option('--meta <name=value>', 'user metadata (x-amz-meta-<name>), repeatable', collect)
    .option('-j, --jobs <n>', 'files in flight at once', positiveInt, 4)
    .action(async (source: string, destination: string, options: PutOptions, cmd: Command) => {
      const dest = parseRemote(destination);
      const headers = metadataHeaders(options.meta ?? []);
      if (source === '-') {
        await uploadStdin(cmd, dest, { ...headers, 'content-type': options.contentType ?? 'application/octet-stream' });
        return;
      }
      const { uploads, folder } = await plan(source, dest, options.recursive === true);
      await withClient(cmd, async (client, globals) => {
        const quiet = globals.quiet === true;
        const total = folder && showsBars(quiet) ? await folderTotal(source) : undefined;
        const reporter = createReporter({ quiet, total });
        try {
          await forEachLimit(uploads, options.jobs, (u) => uploadOne(client, dest.bucket, u, headers, reporter, options));
        } finally {
          reporter.stop();
        }
      });
    });
}
