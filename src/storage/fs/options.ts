import type { KeyRing } from '../encryption/index.js';

export interface FsStoreOptions {
  /** Folder holding everything the store writes; created when missing. */
  dataDir: string;
  /**
   * fsync data, directories and metadata before acknowledging a write (default true).
   * Only tests and benchmarks that measure the cost of durability turn it off.
   */
  durable?: boolean;
  /**
   * Bytes the store keeps free on its file system: writes that would leave less are refused (507), deletes
   * still go through. Default: 1% of the file system, at least 64 MiB and at most 1 GiB (a quarter of a
   * file system too small for that).
   */
  minFree?: number | undefined;
  /**
   * Size of the reserve file (`<dataDir>/reserve`), given up when the disk is so full that even a delete
   * cannot be recorded; 0 keeps none. Default FS_STORE_DEFAULTS.reserve.
   */
  reserve?: number | undefined;
  /**
   * Multipart uploads neither completed nor aborted this long after they were started are aborted, their
   * parts deleted; 0 keeps them forever. Default FS_STORE_DEFAULTS.uploadExpiryMs.
   */
  uploadExpiryMs?: number | undefined;
  /** The keys of SSE-S3 and SSE-KMS (the first is the default); none: only SSE-C is offered. */
  keyRing?: KeyRing | undefined;
}

export const FS_STORE_DEFAULTS = {
  /** Four times the most SQLite's WAL grows between checkpoints (1000 pages of 4 KiB): what deletes need. */
  reserve: 16 * 1024 ** 2,
  /** A week, as S3's lifecycle rules for incomplete uploads are commonly set. */
  uploadExpiryMs: 7 * 86_400_000,
} as const;
