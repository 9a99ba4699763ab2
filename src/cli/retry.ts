/**
 * When the CLI sends a request again, and how long it waits first.
 * - 429 (a rate limit): always, however often and however long: after the wait the answer's Retry-After asks
 *   for (seconds or an HTTP date), else a growing wait with jitter. A limit is a pace to keep, not a failure,
 *   so a bulk upload finishes whatever the limit.
 * - 503 (an instance draining, a store briefly away, or a real outage): a few retries, and never a wait past
 *   MAX_WAIT_MS (a service asking for longer is told to the user at once instead).
 * Only a request whose body can be sent again is retried: no body, JSON, a file opened anew; not stdin.
 * The wait is one pause per client (SharedPause): every request waits it out, so jobs in flight pause
 * together and the user is told once, not once per file.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** Retries of a 503 (429s are retried without limit). */
export const MAX_RETRIES = 4;
/** The longest a 503 is waited out; also the ceiling of the backoff without Retry-After. */
export const MAX_WAIT_MS = 30_000;
/** Without Retry-After: 0.25–0.5 s, then 0.5–1 s, 1–2 s, 2–4 s, ... up to 15–30 s. */
const FIRST_BACKOFF_MS = 500;
/** A pause lengthened by more than this is told again (answers to requests in flight end about together). */
const NOTICEABLE_MS = 2_000;
/** setTimeout takes at most 2^31-1 ms; longer pauses are slept in steps. */
const LONGEST_SLEEP_MS = 3_600_000;

/** Milliseconds Retry-After asks to wait (RFC 9110 §10.2.3), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export type RetryPlan = { waitMs: number } | { refusal: string };

/** 0.4 s, 37 s, 12 min 5 s, 3 h 20 min: for the user. */
export function formatWait(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

/**
 * Whether and when to send again after an answer of `status`, `retriesDone` retries after answers of that
 * status; `refusal` says why not, for the error the user sees.
 */
export function planRetry(status: number, asked: number | undefined, retriesDone: number, replayable: boolean, random = Math.random): RetryPlan {
  if (!replayable) {
    return { refusal: `not retried: what was read from stdin cannot be sent again; run the command again ${asked === undefined ? 'later' : `in ${seconds(asked)}`}` };
  }
  if (status !== 429) {
    if (retriesDone >= MAX_RETRIES) return { refusal: `gave up after ${MAX_RETRIES} retries` };
    if (asked !== undefined && asked > MAX_WAIT_MS) {
      return { refusal: `not retried: the service asks to wait ${seconds(asked)}, longer than the CLI waits (${seconds(MAX_WAIT_MS)}); run the command again later` };
    }
  }
  if (asked !== undefined) return { waitMs: asked };
  const ceiling = Math.min(MAX_WAIT_MS, FIRST_BACKOFF_MS * 2 ** retriesDone);
  return { waitMs: ceiling / 2 + random() * (ceiling / 2) };
}

/** One pause for every request of a client: any refusal pauses them all, until the latest end asked for. */
export class SharedPause {
  private until = 0;

  /**
   * Makes the pause last at least `waitMs` from now; true when that starts a pause or lengthens the one in
   * force noticeably: worth telling the user.
   */
  extend(waitMs: number): boolean {
    const now = Date.now();
    const end = now + waitMs;
    const tell = this.until <= now || end > this.until + NOTICEABLE_MS;
    this.until = Math.max(this.until, end);
    return tell;
  }

  /** Milliseconds until the pause ends (0 when none is in force). */
  remainingMs(): number {
    return Math.max(0, this.until - Date.now());
  }

  /** Resolves once no pause is in force (at once when none is). */
  async over(): Promise<void> {
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs()) await sleep(Math.min(left, LONGEST_SLEEP_MS));
  }
}
