/**
 * The embedded fs store (the default): objects on local disk under one data dir.
 *
 * Layout (format "s3gate-fs" v1, documented in FORMAT.md): format.json, meta.sqlite (the index: buckets and
 * object rows, keys as UTF-8 byte BLOBs), blobs/<xx>/<random id> (object bytes, immutable once written).
 * Keys never become paths, so nothing is ever written outside the data dir.
 *
 * Opening: check or write format.json → open and lock meta.sqlite (a second process fails here) → make sure
 * the blob folders exist → start the orphan sweep in the background (`store.recovered`).
 */
import { join } from 'node:path';
import { BlobFiles } from './blobs.js';
import { CommitQueue } from './commits.js';
import { MetaDb } from './db.js';
import { BLOBS_DIR, DB_FILE, ensureBlobDirs, ensureFormat } from './format.js';
import type { FsStoreOptions } from './options.js';
import { sweepOrphans } from './recovery.js';
import { FsStore } from './store.js';

export type { FsStoreOptions } from './options.js';
export { FsStore } from './store.js';

export async function openFsStore(opts: FsStoreOptions): Promise<FsStore> {
  const durable = opts.durable ?? true;
  await ensureFormat(opts.dataDir, durable);
  const db = MetaDb.open(join(opts.dataDir, DB_FILE), durable, opts.dataDir);
  try {
    await ensureBlobDirs(opts.dataDir, durable);
  } catch (err) {
    db.close();
    throw err;
  }
  const blobs = new BlobFiles(join(opts.dataDir, BLOBS_DIR), durable);
  const stop = new AbortController();
  const recovered = sweepOrphans(db, blobs, stop.signal);
  recovered.catch(() => undefined); // a failed sweep must not crash the process; awaiting it still sees the error
  return new FsStore({ db, commits: new CommitQueue(db), blobs, recovered, stopRecovery: () => stop.abort() });
}
