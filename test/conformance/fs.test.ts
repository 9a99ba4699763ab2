/** The store contract suite against the fs store, on a fresh temporary data dir, with a key ring (every encryption mode). */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyRing } from '../../src/storage/encryption/index.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import { storeConformance } from './suite.js';

storeConformance('fs', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 's3gate-fs-conformance-'));
  const store = await openFsStore({ dataDir, keyRing: new KeyRing([{ id: 'conformance', key: randomBytes(32) }]) });
  return { store, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});
