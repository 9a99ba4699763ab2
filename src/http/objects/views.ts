/** The JSON view of a stored object, as the faces that answer in JSON give it (v1, share-link uploads). */
import type { ObjectMeta } from '../../storage/types.js';

export function objectJson(bucket: string, meta: ObjectMeta) {
  return { bucket, key: meta.key, size: meta.size, etag: meta.etag, lastModified: meta.lastModified.toISOString() };
}
