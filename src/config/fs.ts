/**
 * fs store settings: the free space it keeps on its file system, the reserve file it holds for deletes
 * on a full disk (src/storage/fs/space.ts, reserve.ts), and how long abandoned multipart uploads are kept. Spread into the main schema (schema.ts) and the
 * environment table (load.ts).
 */
import { z } from 'zod';
import { FS_STORE_DEFAULTS } from '../storage/fs/options.js';
import { int, size } from './fields.js';

export const FS_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_FS_MIN_FREE: 'fs.minFree',
  S3GATE_FS_RESERVE: 'fs.reserve',
  S3GATE_FS_UPLOAD_EXPIRY_MS: 'fs.uploadExpiryMs',
};

const fsSchema = z
  .object({
    /**
     * Bytes kept free: writes that would leave less are refused (507), deletes still work. Unset: 1% of the
     * file system, at least 64 MiB, at most 1 GiB (a quarter of a smaller file system).
     */
    minFree: size.optional().describe('free space the fs store keeps: writes that would leave less are refused with 507 (unset: 1% of the file system, 64 MiB to 1 GiB)'),
    /** Size of the reserve file given up when the disk is full to the last byte, so that deletes can commit; 0: none. */
    reserve: size.default(FS_STORE_DEFAULTS.reserve).describe('size of the reserve file given up on a full disk so that deletes still commit (0: none)'),
    /** Multipart uploads left neither completed nor aborted this long are aborted and their parts deleted; 0: never. */
    uploadExpiryMs: int(0, 3650 * 86_400_000)
      .default(FS_STORE_DEFAULTS.uploadExpiryMs)
      .describe('multipart uploads neither completed nor aborted this long (ms) are aborted, their parts deleted (0: never)'),
  })
  .strict();

export const fsShape = {
  fs: fsSchema.prefault({}),
};
