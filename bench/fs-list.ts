/**
 * Benchmark: fs store listing at a million keys. Prints each page time and its ratio to the ceiling measured
 * in the same run on the same file: a bare range scan of the same index returning 1000 rows to JS.
 *
 *   node dist/bench/fs-list.js [keys=1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaDb, type ObjectRow } from '../src/storage/fs/db.js';
import { openFsStore } from '../src/storage/fs/index.js';
import type { ListObjectsOptions } from '../src/storage/types.js';

const total = Number(process.argv[2] ?? 1_000_000);
const FOLDERS = 1000;

function* rows(): Generator<ObjectRow> {
  // 90% in one huge folder, the rest spread over FOLDERS folders.
  for (let i = 0; i < total; i++) {
    const key = i % 10 === 0 ? `f${String((i / 10) % FOLDERS).padStart(4, '0')}/${i}` : `huge/${String(i).padStart(8, '0')}`;
    yield {
      bucket: 'bench',
      key: Buffer.from(key),
      blob: '0'.repeat(32),
      size: 1,
      etag: '"x"',
      last_modified: 0,
      content_type: 'application/octet-stream',
      cache_control: null,
      content_disposition: null,
      content_encoding: null,
      metadata: '{}',
    };
  }
}

/** Median of `runs` timings of fn, in ms. */
function median(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] as number;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 's3gate-bench-list-'));
  try {
    const setup = await openFsStore({ dataDir, durable: false });
    await setup.createBucket('bench');
    await setup.close();
    const db = MetaDb.open(join(dataDir, 'meta.sqlite'), false, dataDir);
    let t0 = performance.now();
    db.insertUnchecked(rows());
    console.log(`inserted ${total} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const from = Buffer.from('huge/00500000');
    const ceiling = median(21, () => {
      let n = 0;
      for (const _ of db.scan('bench', from, Buffer.from([0xff]))) if (++n === 1000) break;
    });
    db.close();
    console.log(`ceiling: bare index scan of 1000 rows: ${ceiling.toFixed(2)} ms`);

    const store = await openFsStore({ dataDir, durable: false });
    await store.recovered;
    const cases: [string, Omit<ListObjectsOptions, 'bucket'>][] = [
      ['first page, no prefix', {}],
      ['page from the middle (startAfter)', { startAfter: 'huge/00500000' }],
      ['page under prefix huge/', { prefix: 'huge/', startAfter: 'huge/00900000' }],
      [`top level, delimiter / (${FOLDERS + 1} prefixes, 1000 returned)`, { delimiter: '/' }],
      ['prefix f0042/ with delimiter', { prefix: 'f0042/', delimiter: '/' }],
    ];
    for (const [name, opts] of cases) {
      const times: number[] = [];
      for (let i = 0; i < 21; i++) {
        t0 = performance.now();
        await store.listObjects({ bucket: 'bench', ...opts });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const ms = times[10] as number;
      console.log(`${name}: ${ms.toFixed(2)} ms (${(ms / ceiling).toFixed(2)}× the bare scan)`);
    }
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
