import type { ShareLinks } from '../../../links/share-links.js';
import type { ObjectStore } from '../../../storage/types.js';

export interface V1Options {
  store: ObjectStore;
  /** Largest upload in bytes (S3GATE_MAX_OBJECT_SIZE). */
  maxObjectSize: number;
  /** The share links that /v1/links manages. */
  shareLinks: ShareLinks;
}
