/**
 * Grouped commits: every metadata change of the fs store is queued here and applied, with all the others
 * queued in the same event-loop turn, in one SQLite transaction (one WAL fsync for many writers).
 *
 * A change is a function run inside that transaction. If it throws a ServiceError (NoSuchBucket, ...) only its
 * own caller sees the error; it must not have written anything before throwing (MetaDb's mutators check first,
 * write last). Any other error aborts the whole group: every caller in it is rejected and nothing is committed.
 * Promises settle only once the WAL holding the transaction is synced (MetaDb.syncWal), so an acknowledged
 * change is on disk. The sync runs off the event loop: meanwhile the next group is already being committed.
 */
import { isServiceError, ServiceError } from '../../errors/codes.js';
import type { MetaDb } from './db.js';

interface Pending {
  apply: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The group was committed but its WAL could not be synced: the change is visible and may or may not survive
 * a crash. Callers must not undo what the row points to (its blob file).
 */
export class NotDurable extends ServiceError {
  constructor(cause: unknown) {
    super('InternalError', 'The fs store committed the change but could not make it durable (WAL sync failed).', { cause });
  }
}

export class CommitQueue {
  private pending: Pending[] = [];
  private timer: NodeJS.Immediate | undefined;
  private closed = false;
  /** Groups committed whose WAL sync is still under way. */
  private readonly syncing = new Set<Promise<void>>();

  constructor(private readonly db: MetaDb) {}

  /** Queues a change; resolves with its result once the transaction holding it is committed and synced. */
  enqueue<T>(apply: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new ServiceError('ServiceUnavailable', 'The fs store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ apply, resolve: (value) => resolve(value as T), reject });
      this.timer ??= setImmediate(() => this.flush());
    });
  }

  /** Refuses new changes, commits the queued ones now, and resolves once every caller has been answered. */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    await Promise.all(this.syncing);
  }

  private flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.db.transaction(() => batch.map((change) => this.applyOne(change)));
    } catch (err) {
      const failure = new ServiceError('InternalError', 'The fs store could not commit its metadata.', { cause: err });
      for (const change of batch) change.reject(failure);
      return;
    }
    const answer = () =>
      batch.forEach((change, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) change.resolve(outcome.value);
        else change.reject(outcome?.error);
      });
    const synced = this.db.syncWal().then(answer, (err: unknown) => {
      const failure = new NotDurable(err);
      for (const change of batch) change.reject(failure);
    });
    this.syncing.add(synced);
    void synced.finally(() => this.syncing.delete(synced));
  }

  private applyOne(change: Pending): Outcome {
    try {
      return { ok: true, value: change.apply() };
    } catch (err) {
      if (!isServiceError(err)) throw err; // unexpected: abort the whole group
      return { ok: false, error: err };
    }
  }
}
