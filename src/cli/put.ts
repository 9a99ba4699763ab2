/** `object put`: upload a file, or a folder tree with --recursive, streaming each file with its length. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { Command } from 'commander';
import { contentType } from 'mime-types';
import { STREAM_BUFFER, type ApiClient } from './client.js';
import { collect, forEachLimit, positiveInt, withClient } from './context.js';
import { UsageError } from './errors.js';
import { byteCounter, walkFiles, type LocalFile } from './local.js';
import { createReporter, type Reporter } from './progress.js';
import { printLine } from './output.js';
import { destinationKey, folderPrefix, formatRemote, isFolderKey, parseRemote, toKeySuffix, type RemotePath } from './paths.js';

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

/** What to upload: the file itself, or every file below the folder (with --recursive). */
async function plan(source: string, dest: { key: string }, recursive: boolean): Promise<Upload[]> {
  const info = await stat(source).catch(() => {
    throw new UsageError(`no such file or folder: ${source}`);
  });
  if (info.isFile()) return [{ file: { path: source, relative: basename(source), size: info.size }, key: destinationKey(dest.key, basename(source)) }];
  if (!info.isDirectory()) throw new UsageError(`not a file or folder: ${source}`);
  if (!recursive) throw new UsageError(`${source} is a folder: add --recursive to upload what it holds`);
  const prefix = dest.key === '' ? '' : folderPrefix(dest.key);
  const files = await walkFiles(source, (path) => process.stderr.write(`s3gate: skipped (not a file): ${path}\n`));
  return files.map((file) => ({ file, key: prefix + toKeySuffix(file.relative) }));
}

async function uploadOne(client: ApiClient, bucket: string, upload: Upload, headers: Record<string, string>, reporter: Reporter, options: PutOptions): Promise<void> {
  const { file, key } = upload;
  const type = options.contentType ?? (contentType(basename(file.path)) || 'application/octet-stream');
  const bar = reporter.file(key, file.size);
  let sent = 0;
  // opened anew for each attempt (a retry after 429/503 sends the file again from its start)
  const open = () => {
    bar.add(-sent);
    sent = 0;
    const counter = byteCounter((n) => {
      sent += n;
      bar.add(n);
    });
    // pipeline, not pipe: a read error must fail the upload, not leave it waiting
    return pipeline(createReadStream(file.path, { highWaterMark: STREAM_BUFFER }), counter, () => {});
  };
  try {
    await client.upload(bucket, key, open, file.size, { ...headers, 'content-type': type });
  } finally {
    bar.done();
  }
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
      const uploads = await plan(source, dest, options.recursive === true);
      await withClient(cmd, async (client, globals) => {
        const total = { files: uploads.length, bytes: uploads.reduce((sum, u) => sum + u.file.size, 0) };
        const reporter = createReporter({ quiet: globals.quiet === true, total: uploads.length > 1 ? total : undefined });
        try {
          await forEachLimit(uploads, options.jobs, (u) => uploadOne(client, dest.bucket, u, headers, reporter, options));
        } finally {
          reporter.stop();
        }
      });
    });
}
