/**
 * A part of unknown length, written to a temporary file first: S3 takes no part without its length, and a
 * part may be 5 GiB, too much to hold in memory. The file is read back with its length, then removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '../../errors/codes.js';
import { MAX_PART_SIZE } from '../types.js';

export interface Spooled {
  length: number;
  open(): Readable;
  remove(): Promise<void>;
}

/** The body on disk; EntityTooLarge past S3's largest part. */
export async function spool(body: Readable, signal: AbortSignal | undefined): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 's3gate-part-'));
  const path = join(dir, 'part');
  const remove = () => rm(dir, { recursive: true, force: true });
  let length = 0;
  try {
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer | string>) {
        for await (const chunk of chunks) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          length += buffer.length;
          if (length > MAX_PART_SIZE) throw new ServiceError('EntityTooLarge', `A part may hold at most ${MAX_PART_SIZE} bytes.`);
          yield buffer;
        }
      },
      createWriteStream(path),
      { signal },
    );
  } catch (err) {
    body.destroy();
    await remove();
    throw err;
  }
  return { length, open: () => createReadStream(path), remove };
}
