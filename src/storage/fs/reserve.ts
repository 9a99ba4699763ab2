/**
 * The reserve: `<dataDir>/reserve`, a file holding space the store can give back to itself. When the file
 * system is full to the last byte (another program filled it, or a write raced past the floor), even a
 * delete cannot be recorded: SQLite needs room in its WAL to commit. The commit queue then deletes this
 * file and commits again, so deletes go through and free space; the file is written again once the file
 * system has room for it above the floor (space.ts).
 *
 * Its bytes are random, not zeros: compressing file systems (ZFS, btrfs) would store zeros in no space.
 * It is never synced: the file systems account written bytes at once (ext4 and XFS reserve the blocks of
 * delayed writes), and nothing is lost if a crash loses it. It is whole when its size and its allocated
 * blocks are the configured size; one a crash cut short, or of another size, is written again.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';

export const RESERVE_FILE = 'reserve';
const SLAB = 1 << 20;

export class ReserveFile {
  private held = false;
  private writing: Promise<boolean> | undefined;
  private cancelled = false;

  constructor(
    readonly path: string,
    /** Bytes; 0 keeps no reserve. */
    readonly size: number,
  ) {}

  /** Bytes of the reserve that are not in place (to be kept free until it is written again). */
  get missingBytes(): number {
    return this.held ? 0 : this.size;
  }

  get heldBytes(): number {
    return this.held ? this.size : 0;
  }

  /** At open: finds out whether a whole reserve is there; removes one when none is wanted. */
  async check(): Promise<void> {
    if (this.size === 0) {
      await rm(this.path, { force: true });
      return;
    }
    try {
      const found = await stat(this.path);
      this.held = found.isFile() && found.size === this.size && found.blocks * 512 >= this.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Writes the reserve, one writer at a time; false when it could not (the space went meanwhile). */
  create(): Promise<boolean> {
    this.cancelled = false;
    this.writing ??= this.write().finally(() => (this.writing = undefined));
    return this.writing;
  }

  /**
   * Gives the space back now, synchronously (a commit is waiting for it); whether there was a reserve.
   * A reserve being written is abandoned: its writer removes it.
   */
  release(): boolean {
    this.cancelled = true;
    if (!this.held) return false;
    this.held = false;
    rmSync(this.path, { force: true });
    return true;
  }

  /** Stops a write under way (on close) and waits for it to end. */
  async stop(): Promise<void> {
    this.cancelled = true;
    await this.writing;
  }

  private async write(): Promise<boolean> {
    if (this.held || this.size === 0) return this.held;
    const slab = randomBytes(Math.min(SLAB, this.size));
    try {
      const fh = await open(this.path, 'w');
      try {
        for (let at = 0; at < this.size; ) {
          if (this.cancelled) throw new Error('cancelled');
          const { bytesWritten } = await fh.write(slab, 0, Math.min(slab.length, this.size - at), at);
          at += bytesWritten;
        }
      } finally {
        await fh.close();
      }
      if (this.cancelled) throw new Error('cancelled');
      this.held = true;
      return true;
    } catch {
      await rm(this.path, { force: true }).catch(() => undefined);
      return false;
    }
  }
}
