/**
 * Makes committed WAL frames durable off the event loop. SQLite runs with synchronous=NORMAL, so a COMMIT
 * only writes its frames into the OS cache; this fdatasyncs the WAL file on libuv's thread pool before the
 * commit's callers are answered. While one fsync runs, later commits go on and share the next one
 * (the file's dirty pages are flushed as a whole), so the event loop never waits on the disk.
 *
 * Crash safety is SQLite's own: WAL frames are checksummed and a torn tail is ignored on recovery, so a lost
 * commit is one that was never acknowledged. SQLite itself syncs the WAL before and the database after each
 * checkpoint.
 */
import { fdatasync, openSync, closeSync } from 'node:fs';

export class WalSync {
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** The fd stays valid for the connection's life: SQLite truncates or rewrites its WAL, never replaces it. */
  private constructor(private readonly fd: number) {}

  static open(walPath: string): WalSync {
    return new WalSync(openSync(walPath, 'r'));
  }

  /** Resolves once an fdatasync that began after this call has completed: every frame written before is durable. */
  sync(): Promise<void> {
    if (!this.inFlight) return this.begin();
    // the running one may have started before our frames were written: share the next one
    this.queued ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.begin();
      });
    return this.queued;
  }

  /** Closes the file; call it once the last sync has settled (CommitQueue.close waits for that). */
  close(): void {
    closeSync(this.fd);
  }

  private begin(): Promise<void> {
    const syncing = new Promise<void>((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve()))).finally(() => {
      if (this.inFlight === syncing) this.inFlight = undefined;
    });
    this.inFlight = syncing;
    return syncing;
  }
}
