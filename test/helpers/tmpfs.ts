/**
 * A small file system of the test's own, to fill up: a tmpfs mounted on a fresh folder (needs root, or
 * CAP_SYS_ADMIN; CI runs as root). Where mounting is impossible the caller skips, saying why.
 */
import { execFile } from 'node:child_process';
import { open, rm, statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tempDir } from './server.js';

const run = promisify(execFile);

export interface Tmpfs {
  dir: string;
  /** Bytes free on it now. */
  free(): Promise<number>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `mib` MiB; `{ skip }` with the reason when this machine does not allow it. */
export async function mountTmpfs(mib: number): Promise<Tmpfs | { skip: string }> {
  const dir = await tempDir('tmpfs');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const why = ((err as { stderr?: string }).stderr || (err as Error).message).trim();
    return { skip: `cannot mount a tmpfs here (needs root): ${why}` };
  }
  return {
    dir,
    free: async () => {
      const fs = await statfs(dir);
      return fs.bavail * fs.bsize;
    },
    unmount: async () => {
      await run('umount', ['--lazy', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Fills the file system from outside the service, as another program would: writes `path` until the file
 * system refuses a single byte more (ENOSPC). Returns the bytes written.
 */
export async function fillFrom(path: string): Promise<number> {
  const fh = await open(path, 'a');
  let written = 0;
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += (await fh.write(chunk)).bytesWritten;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return written;
}
