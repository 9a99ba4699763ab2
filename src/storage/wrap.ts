/**
 * One way to put something around every call of a store (name checks, metrics, a hidden bucket), so the
 * contract can grow without editing each wrapper: a wrapper gives one function that sees the operation's
 * name and options and decides when, and whether, the inner call runs.
 */
import { Readable } from 'node:stream';
import { STORE_OPERATIONS, type ObjectStore, type StoreOperation } from './types.js';

/** The options object of any store operation. */
export type StoreCallOptions = Parameters<ObjectStore[StoreOperation]>[0];

/** Runs around one call; returns what `call` returns, or throws instead of calling it. */
export type AroundCall = <T>(operation: StoreOperation, opts: StoreCallOptions, call: () => Promise<T>) => Promise<T>;

/** A request body that was never handed to the store is destroyed, as a store does with one it refuses. */
function destroyBody(opts: StoreCallOptions): void {
  if ('body' in opts && opts.body instanceof Readable) opts.body.destroy();
}

/**
 * `inner` with `around` run around each operation; `overrides` replace whole operations (after the
 * wrapper, when they call the wrapped store themselves).
 */
export function wrapStore(inner: ObjectStore, around: AroundCall, overrides: Partial<ObjectStore> = {}): ObjectStore {
  const wrapped: Record<string, unknown> = {
    kind: inner.kind,
    capabilities: inner.capabilities,
    space: () => inner.space?.(),
    close: () => inner.close(),
  };
  for (const operation of STORE_OPERATIONS) {
    // every operation takes one options object and returns a promise: the union of their signatures
    // cannot be called directly, so each is called through this one shape
    const method = inner[operation] as (opts: StoreCallOptions) => Promise<unknown>;
    wrapped[operation] = async (opts: StoreCallOptions) => {
      let called = false;
      try {
        return await around(operation, opts, () => {
          called = true;
          return method.call(inner, opts);
        });
      } catch (err) {
        if (!called) destroyBody(opts);
        throw err;
      }
    };
  }
  if (!inner.space) delete wrapped.space;
  // the loop above defines every operation of the contract (STORE_OPERATIONS is checked to be complete)
  return { ...(wrapped as unknown as ObjectStore), ...overrides };
}
