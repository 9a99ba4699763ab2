import type { Config } from '../config/schema.js';
import { openFsStore } from './fs/index.js';
import { createS3Store } from './s3/index.js';
import type { ObjectStore } from './types.js';

/** The store the configuration asks for. */
export async function createStore(config: Config): Promise<ObjectStore> {
  if (config.store === 's3') return createS3Store(config.s3);
  return openFsStore({ dataDir: config.dataDir });
}
