/**
 * Room on the fs store's file system. The store keeps a floor of free space: a write that would leave less
 * is refused with 507 InsufficientStorage before any byte of it is written, while deletes, which need only a
 * little room in SQLite's WAL, still go through; when something else filled the disk to the last byte, the
 * reserve file (reserve.ts) is given up so that they still can. Writes resume by themselves once space is
 * freed: the figures are measured again every second, and at once after a delete or a refusal.
 *
 * Rows (buckets, small objects kept inline) may also use the free pages inside meta.sqlite that deleted
 * rows left: the file does not shrink, so deleting small objects frees no space on the file system, but new
 * rows reuse those pages.
 *
 * Cheap on the hot path: statfs runs on a timer, never per request. Between two measures the figures are
 * lowered by what this store writes, so a check is a comparison of a few numbers.
 */
import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from '../../errors/codes.js';
import type { StoreSpace } from '../types.js';
import { RESERVE_FILE, ReserveFile } from './reserve.js';

const MIB = 1024 ** 2;
const REFRESH_MS = 1_000;
/** A refused write measures again first, unless the figure it was refused on is this fresh. */
const RECHECK_MS = 100;
/** Room every write needs at least, whatever its size: a row and the pages it takes (a small object's worth). */
const LEAST_WRITE = 32 * 1024;
/** After the reserve could not be written (the space went meanwhile), wait this long before trying again. */
const RESERVE_RETRY_MS = 30_000;

/**
 * The default floor: 1% of the file system, at least 64 MiB (room for SQLite's WAL and checkpoints, the
 * writes under way, other programs' logs), at most 1 GiB (more only idles on a large disk), and never more
 * than a quarter of a small file system, which would otherwise be refused every write.
 */
export function defaultMinFree(totalBytes: number): number {
  return Math.floor(Math.min(Math.max(64 * MIB, totalBytes / 100), 1024 * MIB, totalBytes / 4));
}

/** "12.3 MiB": sizes in messages. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const STILL_WORKS = 'writes are refused until space is freed (reads and deletes still work)';

export interface SpaceSettings {
  /** Bytes to keep free; undefined: defaultMinFree of the file system's size. */
  minFree?: number | undefined;
  /** Size of the reserve file; 0 for none. */
  reserve: number;
}

export class DiskSpace {
  private free = 0;
  /** Free pages inside meta.sqlite, in bytes. */
  private spare = 0;
  private spareOf: () => number = () => 0;
  private total = 0;
  private floor = 0;
  /** When the statfs of the figures held was asked for, and when something was last deleted (performance.now()). */
  private measuredAt = 0;
  private freedAt = 0;
  private measuring: Promise<void> | undefined;
  private restoring: Promise<unknown> | undefined;
  private reserveFailedAt = -Infinity;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly dataDir: string,
    private readonly minFree: number | undefined,
    private readonly reserve: ReserveFile,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS).unref();
  }

  /** Measures the file system and checks the reserve; writes the reserve in the background when missing. */
  static async open(dataDir: string, settings: SpaceSettings): Promise<DiskSpace> {
    const reserve = new ReserveFile(join(dataDir, RESERVE_FILE), settings.reserve);
    await reserve.check();
    const space = new DiskSpace(dataDir, settings.minFree, reserve);
    space.take(await statfs(dataDir), performance.now()); // a file system that cannot be measured fails here, not later
    space.restoreReserve();
    return space;
  }

  /** Free bytes writes must leave: the floor, plus the reserve's size while it is not in place. */
  private get threshold(): number {
    return this.floor + this.reserve.missingBytes;
  }

  /** Where to learn the free bytes inside meta.sqlite, once it is open. */
  countSpareIn(spareOf: () => number): void {
    this.spareOf = spareOf;
  }

  /** Whether a write of `bytes` fits above the floor by the figures held now; `row`: it goes into meta.sqlite. */
  fits(bytes: number, row = false): boolean {
    return this.free + (row ? this.spare : 0) - Math.max(bytes, LEAST_WRITE) >= this.threshold;
  }

  /**
   * Refuses (507) a write of `bytes` (0 when its size is unknown) that would leave less than the floor;
   * `row`: it is (or may be) stored in meta.sqlite, where free pages count too.
   */
  async admit(bytes: number, row = false): Promise<void> {
    // refused only on a fresh figure, measured after the last delete: never for space that is back already
    for (let measures = 0; !this.fits(bytes, row); measures++) {
      if (measures === 2 || !this.stale()) {
        const what = bytes > LEAST_WRITE ? `has no room for ${formatBytes(bytes)} more` : 'is full';
        throw new ServiceError(
          'InsufficientStorage',
          `The fs store ${what}: ${formatBytes(this.free)} free on its file system, and it keeps ${formatBytes(this.threshold)} free; ${STILL_WORKS}.`,
        );
      }
      await this.refresh();
    }
  }

  private stale(): boolean {
    return this.measuredAt <= this.freedAt || performance.now() - this.measuredAt >= RECHECK_MS;
  }

  /** This store wrote `bytes` (`row`: into meta.sqlite): the figures drop until the next measure. */
  wrote(bytes: number, row = false): void {
    const fromSpare = row ? Math.min(bytes, this.spare) : 0;
    this.spare -= fromSpare;
    this.free -= bytes - fromSpare;
  }

  /**
   * Something was deleted (a blob file, a row, a partial write): the figures are stale, and while writes are
   * refused they are measured again now, so that writes resume at once.
   */
  freed(): void {
    this.freedAt = performance.now();
    if (!this.fits(0)) void this.refresh();
  }

  /** The file system refused a write for lack of room (ENOSPC, SQLITE_FULL): the 507 to answer. */
  noRoom(cause: unknown): ServiceError {
    void this.refresh();
    return new ServiceError('InsufficientStorage', `The fs store's file system is full; ${STILL_WORKS}.`, { cause });
  }

  /** Gives up the reserve so that a delete can be committed; whether there was one to give. */
  releaseReserve(): boolean {
    const released = this.reserve.release();
    if (released) this.freed();
    return released;
  }

  snapshot(): StoreSpace {
    const state = !this.fits(0) ? 'full' : this.free < this.threshold + this.floor ? 'low' : 'ok';
    return { freeBytes: Math.max(0, this.free), totalBytes: this.total, minFreeBytes: this.threshold, state };
  }

  /** Bytes the reserve file holds now. */
  get reservedBytes(): number {
    return this.reserve.heldBytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.reserve.stop();
    await this.measuring;
    await this.restoring;
  }

  /** Measures now (one measure at a time: callers meanwhile share it). */
  private refresh(): Promise<void> {
    this.measuring ??= this.measure().finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  private async measure(): Promise<void> {
    try {
      const asked = performance.now();
      const fs = await statfs(this.dataDir);
      if (this.closed) return; // the database may be closed by now
      this.take(fs, asked);
    } catch {
      // keep the last figures: the store works on, and the next measure may succeed
    }
    this.restoreReserve();
  }

  private take(fs: StatsFs, asked: number): void {
    this.free = fs.bavail * fs.bsize; // what an unprivileged writer may still use
    this.total = fs.blocks * fs.bsize;
    this.floor = this.minFree ?? defaultMinFree(this.total);
    this.spare = this.spareOf();
    this.measuredAt = asked;
  }

  /** Writes the reserve again once it fits above the floor. */
  private restoreReserve(): void {
    const missing = this.reserve.missingBytes;
    if (this.closed || this.restoring || missing === 0 || this.free - missing < this.floor) return;
    if (Date.now() - this.reserveFailedAt < RESERVE_RETRY_MS) return;
    this.restoring = this.reserve
      .create()
      .then((made) => {
        if (!made) this.reserveFailedAt = Date.now();
      })
      .finally(() => {
        this.restoring = undefined;
        if (!this.closed) void this.refresh();
      });
  }
}
