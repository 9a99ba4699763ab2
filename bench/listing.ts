/**
 * Listing cost as a bucket grows: one 1,000-key page (from the middle of the bucket, and one level of folders
 * with a delimiter) at each bucket size, with a bare index scan of 1,000 rows on the same file as the ceiling.
 * Rows are inserted straight into the index (no blobs): only the listing is measured.
 */
import { join } from 'node:path';
import { MetaDb, type ObjectRow } from '../src/storage/fs/db.js';
import { openFsStore } from '../src/storage/fs/index.js';
import type { ObjectStore } from '../src/storage/types.js';
import { indexOnlyRow } from '../test/helpers/rows.js';
import { medianMs } from './lib/measure.js';

export interface ListingResult {
  keys: number;
  /** Median ms of one page of 1,000 keys from the middle of the bucket. */
  pageMs: number;
  /** Median ms of one page with delimiter "/" over the folders. */
  folderPageMs: number;
  /** Median ms of a bare 1,000-row index scan on the same database. */
  ceilingMs: number;
}

const FOLDERS = 1000;
const keyOf = (i: number) => `f${String(i % FOLDERS).padStart(4, '0')}/${String(i).padStart(8, '0')}`;

function* rows(count: number): Generator<ObjectRow> {
  for (let i = 0; i < count; i++) yield indexOnlyRow('bench', keyOf(i));
}


async function measureAt(dir: string, count: number): Promise<ListingResult> {
  const dataDir = join(dir, `list-${count}`);
  const setup = await openFsStore({ dataDir, durable: false });
  await setup.createBucket({ bucket: 'bench' });
  await setup.close();
  const db = MetaDb.open(join(dataDir, 'meta.sqlite'), false, dataDir);
  db.insertUnchecked(rows(count));
  // a full page from the middle of the bucket (from the start, for a bucket of a single page)
  const middle = Buffer.from(keyOf(Math.max(0, Math.floor((count - 1000) / 2))));
  const ceilingMs = await medianMs(21, () => {
    let n = 0;
    for (const _ of db.scan('bench', middle, Buffer.from([0xff]))) if (++n === 1000) break;
  });
  db.close();
  const store: ObjectStore = await openFsStore({ dataDir, durable: false });
  try {
    const startAfter = middle.toString();
    const pageMs = await medianMs(21, () => store.listObjects({ bucket: 'bench', startAfter }));
    const folderPageMs = await medianMs(21, () => store.listObjects({ bucket: 'bench', delimiter: '/' }));
    return { keys: count, pageMs, folderPageMs, ceilingMs };
  } finally {
    await store.close();
  }
}

export async function benchListing(dir: string, sizes = [1_000, 100_000, 1_000_000]): Promise<ListingResult[]> {
  const results: ListingResult[] = [];
  for (const count of sizes) results.push(await measureAt(dir, count));
  return results;
}
