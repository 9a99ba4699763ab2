/**
 * The local side of transfers: walking a folder tree, reading and hashing files, counting bytes as they
 * stream, writing files whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, unlinkSync } from 'node:fs';
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { STREAM_BUFFER } from './client.js';
import { CliError, EXIT } from './errors.js';

export interface LocalFile {
  path: string;
  /** Relative to the walked folder, with the platform's separator. */
  relative: string;
  size: number;
}

/** Files whose sizes are asked for at once while walking (a folder of 100,000 is not stat'ed one by one). */
const STAT_BATCH = 64;

/**
 * Every file below `root`, streamed, in the byte order of their relative paths (the order of the keys they
 * become: a folder sorts as its name and a /). Links to files are followed; links to folders are not (they
 * could loop), and are reported through `skipped`.
 */
export async function* walkTree(root: string, skipped: (path: string) => void, relative = ''): AsyncGenerator<LocalFile> {
  const entries = (await readdir(join(root, relative), { withFileTypes: true }))
    .map((entry) => ({ entry, order: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name) }))
    .sort((a, b) => Buffer.compare(a.order, b.order))
    .map(({ entry }) => ({ entry, rel: relative === '' ? entry.name : join(relative, entry.name) }));
  for (let i = 0; i < entries.length; ) {
    const first = entries[i] as (typeof entries)[number];
    if (first.entry.isDirectory()) {
      yield* walkTree(root, skipped, first.rel);
      i++;
      continue;
    }
    // the run of non-folders from here (at most a batch), stat'ed together, yielded in order
    let end = i + 1;
    while (end < entries.length && end - i < STAT_BATCH && !entries[end]?.entry.isDirectory()) end++;
    const batch = entries.slice(i, end);
    const infos = await Promise.all(batch.map(({ entry, rel }) => {
      const path = join(root, rel);
      return entry.isSymbolicLink() ? stat(path).catch(() => undefined) : stat(path);
    }));
    for (const [n, { rel }] of batch.entries()) {
      const info = infos[n];
      if (info?.isFile()) yield { path: join(root, rel), relative: rel, size: info.size };
      else skipped(join(root, rel));
    }
    i = end;
  }
}

/** A file as a stream; small files get a buffer of about their size, not STREAM_BUFFER each. */
export function openFile(file: { path: string; size: number }): Readable {
  return createReadStream(file.path, { highWaterMark: Math.min(STREAM_BUFFER, Math.max(file.size + 1, 16 * 1024)) });
}

/** The MD5 of a file as 32 hex digits, streamed (never the whole file in memory). */
export async function fileMd5(file: { path: string; size: number }): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of openFile(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A pass-through that reports each chunk's length. */
export function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    highWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/** Temporary files of downloads in progress, removed if the process is interrupted. */
const partials = new Set<string>();

/** For a signal handler: removes the temporary files of unfinished downloads (synchronously: we are exiting). */
export function removePartialFiles(): void {
  for (const path of partials) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

/**
 * Streams `body` into `dest` through a temporary file beside it, renamed into place once complete: an
 * interrupted download never leaves a truncated file under the real name.
 */
export async function saveFile(body: Readable, dest: string, onBytes: (n: number) => void): Promise<void> {
  const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(4).toString('hex')}.s3gate-part`);
  partials.add(temp);
  try {
    await pipeline(body, byteCounter(onBytes), createWriteStream(temp, { highWaterMark: STREAM_BUFFER }));
    await rename(temp, dest);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    // name the destination, not our temporary file, when the local side failed (no such folder, no space)
    const { path, code } = err as NodeJS.ErrnoException;
    if (path === temp) throw new CliError(`cannot write ${dest}: ${code ?? 'error'}`, EXIT.service);
    throw err;
  } finally {
    partials.delete(temp);
  }
}
