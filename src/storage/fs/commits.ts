/**
 * Grouped commits: every metadata change of the fs store is queued here and applied, with all the others
 * queued in the same event-loop turn, in one SQLite transaction (one WAL fsync for many writers).
 *
 * A change is a function run inside that transaction. If it throws a ServiceError (NoSuchBucket, ...) only its
 * own caller sees the error; it must not have written anything before throwing (MetaDb's mutators check first,
 * write last). Any other error aborts the whole group: every caller in it is rejected and nothing is committed.
 * Promises settle only once the WAL holding the transaction is synced (MetaDb.syncWal), so an acknowledged
 * change is on disk. The sync runs off the event loop: meanwhile the next group is already being committed.
 *
 * A full disk (SQLITE_FULL) refuses the group's writes with 507, never its deletes: those are committed
 * again on their own, and if even that finds no room, once more after giving up the reserve file (space.ts).
 */
import { isServiceError, ServiceError } from '../../errors/codes.js';
import type { MetaDb } from './db.js';
import type { DiskSpace } from './space.js';

/** A change that adds data, or one that only removes some (a delete: it must go through on a full disk). */
export type ChangeKind = 'write' | 'delete';

interface Pending {
  apply: () => unknown;
  kind: ChangeKind;
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

  constructor(
    private readonly db: MetaDb,
    private readonly space: DiskSpace,
  ) {}

  /** Queues a change; resolves with its result once the transaction holding it is committed and synced. */
  enqueue<T>(apply: () => T, kind: ChangeKind = 'write'): Promise<T> {
    if (this.closed) return Promise.reject(new ServiceError('ServiceUnavailable', 'The fs store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ apply, kind, resolve: (value) => resolve(value as T), reject });
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
    const queued = this.pending;
    this.pending = [];
    const committed = this.commit(queued);
    if (!committed) return;
    const { batch, outcomes } = committed;
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

  /** Commits what it can of `batch`: the changes committed and their outcomes, or undefined for none. */
  private commit(batch: Pending[]): { batch: Pending[]; outcomes: Outcome[] } | undefined {
    while (batch.length > 0) {
      const changes = batch;
      try {
        return { batch: changes, outcomes: this.db.transaction(() => changes.map((change) => this.applyOne(change))) };
      } catch (err) {
        batch = this.refuse(changes, err);
      }
    }
    return undefined;
  }

  /**
   * Answers the changes of a group that could not be committed; returns those worth committing again: the
   * deletes, when the disk was full and there is less to commit (the writes are refused) or the reserve was
   * given up to make room. Each round commits fewer changes or has more room, so this ends.
   */
  private refuse(batch: Pending[], err: unknown): Pending[] {
    if ((err as { code?: unknown }).code !== 'SQLITE_FULL') {
      const failure = new ServiceError('InternalError', 'The fs store could not commit its metadata.', { cause: err });
      for (const change of batch) change.reject(failure);
      return [];
    }
    const noRoom = this.space.noRoom(err);
    const deletes = batch.filter((change) => change.kind === 'delete');
    for (const change of batch) if (change.kind !== 'delete') change.reject(noRoom);
    if (deletes.length === 0 || deletes.length < batch.length || this.space.releaseReserve()) return deletes;
    const stuck = new ServiceError(
      'InsufficientStorage',
      "The fs store's file system is full to the last byte and its reserve is used up: not even a delete can be recorded. Free some space on it.",
      { cause: err },
    );
    for (const change of deletes) change.reject(stuck);
    return [];
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
