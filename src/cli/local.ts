/** The local side of transfers: walking a folder tree, counting bytes as they stream, writing files whole. */
import { randomBytes } from 'node:crypto';
import { createWriteStream, unlinkSync } from 'node:fs';
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

/**
 * Every file below `root`, in name order. Links to files are followed; links to folders are not (they could
 * loop), and are reported through `skipped`.
 */
export async function walkFiles(root: string, skipped: (path: string) => void, relative = ''): Promise<LocalFile[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const files: LocalFile[] = [];
  for (const entry of entries) {
    const rel = relative === '' ? entry.name : join(relative, entry.name);
    const path = join(root, rel);
    if (entry.isDirectory()) {
      files.push(...(await walkFiles(root, skipped, rel)));
      continue;
    }
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : await stat(path);
    if (info?.isFile()) files.push({ path, relative: rel, size: info.size });
    else skipped(path);
  }
  return files;
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
