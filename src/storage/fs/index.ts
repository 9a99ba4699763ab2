/**
 * The embedded fs store (the default): objects on local disk under one data dir.
 *
 * Layout (format "s3gate-fs" v1, documented in FORMAT.md): format.json, meta.sqlite (the index: buckets,
 * object rows, keys as UTF-8 byte BLOBs, multipart objects' parts, open uploads), blobs/<xx>/<random id> (object bytes, immutable once written),
 * reserve (space kept for deletes on a full disk). Keys never become paths, so nothing is ever written
 * outside the data dir.
 *
 * Opening: check or write format.json → measure the free space (and write the reserve in the background when
 * missing) → open and lock meta.sqlite (a second process fails here) → make sure the blob folders exist →
 * start the orphan sweep in the background (`store.recovered`) and abort the uploads abandoned meanwhile.
 */
import { join } from 'node:path';
import { BlobFiles } from './blobs.js';
import { CommitQueue } from './commits.js';
import { MetaDb } from './db.js';
import { BLOBS_DIR, DB_FILE, ensureBlobDirs, ensureFormat } from './format.js';
import { FS_STORE_DEFAULTS, type FsStoreOptions } from './options.js';
import { sweepOrphans } from './recovery.js';
import { DiskSpace } from './space.js';
import { FsStore } from './store.js';

export { FS_STORE_DEFAULTS, type FsStoreOptions } from './options.js';
export { FsStore } from './store.js';

/**
 * Opening may have to write (recovering a WAL, migrating the schema): on a file system full to the last
 * byte it gets the reserve's room.
 */
function openDb(dataDir: string, durable: boolean, space: DiskSpace): MetaDb {
  const path = join(dataDir, DB_FILE);
  try {
    return MetaDb.open(path, durable, dataDir);
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (cause?.code !== 'SQLITE_FULL' || !space.releaseReserve()) throw err;
    return MetaDb.open(path, durable, dataDir);
  }
}

export async function openFsStore(opts: FsStoreOptions): Promise<FsStore> {
  const durable = opts.durable ?? true;
  await ensureFormat(opts.dataDir, durable);
  const space = await DiskSpace.open(opts.dataDir, { minFree: opts.minFree, reserve: opts.reserve ?? FS_STORE_DEFAULTS.reserve });
  let db: MetaDb | undefined;
  try {
    db = openDb(opts.dataDir, durable, space);
    await ensureBlobDirs(opts.dataDir, durable);
  } catch (err) {
    db?.close();
    await space.close();
    throw err;
  }
  const opened = db;
  space.countSpareIn(() => opened.spareBytes());
  const blobs = new BlobFiles(join(opts.dataDir, BLOBS_DIR), durable, space);
  const stop = new AbortController();
  const recovered = sweepOrphans(db, blobs, stop.signal);
  recovered.catch(() => undefined); // a failed sweep must not crash the process; awaiting it still sees the error
  return new FsStore({
    db,
    commits: new CommitQueue(db, space),
    blobs,
    space,
    recovered,
    stopRecovery: () => stop.abort(),
    uploadExpiryMs: opts.uploadExpiryMs ?? FS_STORE_DEFAULTS.uploadExpiryMs,
    keyRing: opts.keyRing,
  });
}
