/**
 * The fs store's data-dir layout (format "s3gate-fs", version 1; see FORMAT.md beside this file):
 *
 *   <dataDir>/format.json   {"format":"s3gate-fs","version":1}, written first, atomically (temp + rename)
 *   <dataDir>/meta.sqlite   buckets and object rows (plus -wal while open)
 *   <dataDir>/blobs/<xx>/<id>  object bytes; <id> is 32 random hex digits, <xx> its first two
 *
 * A folder without format.json is initialised only when it is empty (or missing), so pointing the store at
 * the wrong folder (a home directory, another program's data) fails instead of scattering files into it.
 */
import { mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from '../../errors/codes.js';

export const FORMAT_NAME = 's3gate-fs';
export const FORMAT_VERSION = 1;
export const FORMAT_FILE = 'format.json';
export const DB_FILE = 'meta.sqlite';
export const BLOBS_DIR = 'blobs';
/** Left behind only by a crash while initialising; ignored when deciding whether a folder is empty. */
const FORMAT_TEMP = 'format.json.tmp';

/** The 256 shard folder names "00".."ff". */
export const SHARDS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** fsync a directory so that the entries created in it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function unusable(dataDir: string, why: string, cause?: unknown): ServiceError {
  return new ServiceError('ServiceUnavailable', `Cannot use ${dataDir} as an fs store data dir: ${why}`, { cause });
}

/**
 * Checks format.json, or writes it when the folder is new. Throws a ServiceError (ServiceUnavailable) with a
 * message naming the folder when it holds an unknown format or version, or foreign files.
 */
export async function ensureFormat(dataDir: string, durable: boolean): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, FORMAT_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(dataDir, `cannot read ${FORMAT_FILE}`, err);
  }
  if (text === undefined) {
    const foreign = (await readdir(dataDir)).filter((name) => name !== FORMAT_TEMP);
    if (foreign.length > 0) {
      throw unusable(dataDir, `it has no ${FORMAT_FILE} and is not empty (it holds ${foreign.slice(0, 3).join(', ')})`);
    }
    const temp = join(dataDir, FORMAT_TEMP);
    await writeFile(temp, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
    if (durable) {
      const fh = await open(temp, 'r+');
      await fh.datasync().finally(() => fh.close());
    }
    await rename(temp, file);
    if (durable) await fsyncDir(dataDir);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw unusable(dataDir, `${FORMAT_FILE} is not valid JSON`, err);
  }
  const { format, version } = (parsed ?? {}) as { format?: unknown; version?: unknown };
  if (format !== FORMAT_NAME) throw unusable(dataDir, `${FORMAT_FILE} names format ${JSON.stringify(format)}, not "${FORMAT_NAME}"`);
  if (version !== FORMAT_VERSION) {
    throw unusable(dataDir, `its format version is ${JSON.stringify(version)}; this build reads version ${FORMAT_VERSION} only`);
  }
}

/** Creates blobs/ and its 256 shard folders (idempotent), making them durable when asked. */
export async function ensureBlobDirs(dataDir: string, durable: boolean): Promise<void> {
  const blobs = join(dataDir, BLOBS_DIR);
  await mkdir(blobs, { recursive: true });
  await Promise.all(SHARDS.map((shard) => mkdir(join(blobs, shard), { recursive: true })));
  if (durable) await Promise.all([fsyncDir(blobs), fsyncDir(dataDir)]);
}
