/** The store contract suite against the fs store, on a fresh temporary data dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFsStore } from '../../src/storage/fs/index.js';
import { storeConformance } from './suite.js';

storeConformance('fs', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 's3gate-fs-conformance-'));
  const store = await openFsStore({ dataDir });
  return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});
