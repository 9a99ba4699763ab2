/**
 * Start-up recovery of the fs store: a crash can leave blob files that no row names (a write that never
 * committed, or a replaced blob not yet unlinked). Rows are only ever committed after their blob is
 * complete, so every unreferenced file is garbage, except the in-flight writes of this very process (and
 * blobs it still reads through rows read before they were replaced). Rows name blobs as objects, as parts of
 * multipart objects and as parts of open uploads.
 *
 * The sweep runs in the background after the lock is taken. Each file is judged synchronously against the
 * committed index and the in-flight set, so no write can slip between the two checks.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BlobFiles } from './blobs.js';
import type { MetaDb } from './db.js';
import { SHARDS } from './format.js';

/** Files judged between two yields to the event loop: the sweep must not stall requests on a big store. */
const BATCH = 500;

export async function sweepOrphans(db: MetaDb, blobs: BlobFiles, stop: AbortSignal): Promise<{ removed: number }> {
  let removed = 0;
  for (const shard of SHARDS) {
    if (stop.aborted) break;
    const dir = join(blobs.root, shard);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const [i, entry] of entries.entries()) {
      if (i % BATCH === BATCH - 1) await nextTurn();
      // After an await the store may have closed its database: look again before every query.
      if (stop.aborted) break;
      if (!entry.isFile() || blobs.inFlight.has(entry.name) || blobs.isPinned(entry.name) || db.isBlobReferenced(entry.name)) continue;
      await rm(join(dir, entry.name), { force: true });
      removed++;
    }
  }
  return { removed };
}
