import type { ObjectStore } from '../../../storage/types.js';

export interface V1Options {
  store: ObjectStore;
  /** Largest upload in bytes (S3GATE_MAX_OBJECT_SIZE). */
  maxObjectSize: number;
}
