/**
 * The sweep: records of ended share links (expired, revoked, used up; record.ts `endedAt`) are removed from
 * the store once they have been ended for `keepEndedMs`, so that the system bucket does not grow forever.
 *
 * - At start, then `intervalMs` after each sweep ends (never two at once in one process); 0 = off. The
 *   timer is unref'd (it never keeps the process alive) and stopped, the running sweep awaited, on close.
 * - Bounded: one page of record ids at a time, read a few at a time, whatever the number of links.
 * - Safe with other instances sweeping the same store: a record already gone is skipped, deleting one
 *   already deleted is no error, and a record is judged on what the store holds when it is read.
 * - One info line per sweep with the count removed (a warning instead when it failed; the next one runs).
 */
import type { BaseLogger } from 'pino';
import { isServiceError } from '../errors/codes.js';
import { endedAt } from './record.js';
import type { LinkRepository } from './repository.js';

export interface SweepSettings {
  /** Between the end of one sweep and the start of the next; 0 = never sweep. */
  sweepIntervalMs: number;
  /** How long an ended link is kept before it is removed. */
  keepEndedMs: number;
}

export interface SweepResult {
  examined: number;
  removed: number;
}

/** Record ids listed per store request, and records read at once. */
const PAGE = 100;
const READS = 16;

export class LinkSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly links: LinkRepository,
    private readonly settings: SweepSettings,
    private readonly log: Pick<BaseLogger, 'info' | 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The first sweep now, then one every interval; does nothing when the interval is 0. */
  start(): void {
    if (this.settings.sweepIntervalMs > 0) this.schedule(0);
  }

  /** No sweep starts after this; resolves once the one running (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep through every record, logged. */
  async sweep(): Promise<SweepResult> {
    const started = this.now();
    const result = { examined: 0, removed: 0 };
    try {
      let cursor: string | undefined;
      do {
        const page = await this.links.listIds(undefined, PAGE, cursor);
        for (let i = 0; i < page.ids.length && !this.stopped; i += READS) {
          const removed = await Promise.all(page.ids.slice(i, i + READS).map((id) => this.removeIfEnded(id)));
          result.examined += removed.length;
          result.removed += removed.filter(Boolean).length;
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined && !this.stopped);
    } catch (err) {
      this.log.warn({ err, ...result }, `share-link sweep failed after removing ${result.removed} ended links`);
      throw err;
    }
    const durationMs = this.now() - started;
    this.log.info({ ...result, durationMs }, `share-link sweep: removed ${result.removed} ended links of ${result.examined}`);
    return result;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch(() => undefined) // logged by sweep(); the next one may succeed
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.settings.sweepIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Whether this call removed the record: only when it has been ended for keepEndedMs. */
  private async removeIfEnded(id: string): Promise<boolean> {
    let stored;
    try {
      stored = await this.links.getStored(id);
    } catch (err) {
      if (!(isServiceError(err) && err.code === 'InternalError')) throw err;
      this.log.warn({ linkId: id, err }, 'share-link sweep: skipped a damaged record'); // not ours to judge
      return false;
    }
    if (!stored) return false; // removed meanwhile (another instance), or half made
    const now = this.now();
    const ended = endedAt(stored.link, stored.lastModified.getTime(), now);
    if (ended === undefined || now - ended < this.settings.keepEndedMs) return false;
    return this.links.remove(stored.link);
  }
}
