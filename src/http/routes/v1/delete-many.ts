/**
 * Deleting many keys: for batch delete, delete by prefix and emptying a bucket. The store contract
 * deletes one key per call, so a few calls run at once (on s3 each is a round trip).
 */
import type { ObjectStore } from '../../../storage/types.js';

const CONCURRENCY = 8;

/** Runs `work` on every item with at most `limit` in flight; results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T); // i < items.length: the element exists
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function deleteEach<R>(keys: readonly string[], work: (key: string) => Promise<R>): Promise<R[]> {
  return mapLimited(keys, CONCURRENCY, work);
}

/**
 * Deletes every key under a prefix ('' = the whole bucket), page by page; returns how many it deleted.
 * Each page starts after the last key seen, which holds however the deletions shift the listing.
 */
export async function deleteUnderPrefix(store: ObjectStore, bucket: string, prefix: string, signal: AbortSignal): Promise<number> {
  let deleted = 0;
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.listObjects({ bucket, prefix: prefix || undefined, startAfter, signal });
    const keys = page.objects.map((o) => o.key);
    const existed = await deleteEach(keys, (key) => store.deleteObject({ bucket, key, signal }));
    deleted += existed.filter(Boolean).length;
    startAfter = keys.at(-1);
    if (!page.isTruncated || startAfter === undefined) return deleted;
  }
}
