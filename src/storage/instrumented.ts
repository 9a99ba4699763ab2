/**
 * A store wrapper that times every call and reports failures by code, for metrics. It changes nothing
 * else: same arguments, same results, same errors. A download is timed until the store answers with
 * its metadata and stream; the bytes that follow are the HTTP layer's to count.
 */
import { isServiceError } from '../errors/codes.js';
import type { ObjectStore, StoreOperation, StoreSpace } from './types.js';
import { wrapStore } from './wrap.js';

export type { StoreOperation } from './types.js';

/** Where timings go; `errorCode` is set when the call failed. */
export interface StoreObserver {
  observeStoreCall(operation: StoreOperation, seconds: number, errorCode?: string): void;
  /** Given the store's room for writes (stores with a disk only), to read whenever it reports. */
  watchSpace?(space: () => StoreSpace | undefined): void;
}

/** A stable code for any failure: the ServiceError code, else the error's name (AbortError...). */
function codeOf(err: unknown): string {
  if (isServiceError(err)) return err.code;
  return err instanceof Error ? err.name : 'Unknown';
}

/** `store` with every call reported to `observer`. */
export function instrumentStore(store: ObjectStore, observer: StoreObserver): ObjectStore {
  if (store.space) observer.watchSpace?.(() => store.space?.());
  return wrapStore(store, async (operation, _opts, call) => {
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    try {
      const result = await call();
      observer.observeStoreCall(operation, seconds());
      return result;
    } catch (err) {
      observer.observeStoreCall(operation, seconds(), codeOf(err));
      throw err;
    }
  });
}
