import type { Config } from '../config/schema.js';
import { sseKeyRing } from '../config/sse.js';
import { openFsStore } from '../storage/fs/index.js';
import type { StoreLog } from '../storage/s3/options.js';
import type { ObjectStore } from '../storage/types.js';

/** The store the configuration asks for; `log` gets the s3 store's few lines (its circuit opening, closing). */
export async function createStore(config: Config, log?: StoreLog): Promise<ObjectStore> {
  if (config.store === 's3') {
    // loaded only when used: the AWS SDK costs ~12 MB of memory that the fs store does not need
    const { createS3Store } = await import('../storage/s3/index.js');
    return createS3Store({ ...config.s3, log });
  }
  return openFsStore({ dataDir: config.dataDir, ...config.fs, keyRing: sseKeyRing(config.sse) });
}
