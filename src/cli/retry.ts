/**
 * When the CLI sends a request again: on 429 (a rate limit) and 503 (a draining instance, a store briefly
 * away), after the wait the answer's Retry-After asks for (seconds or an HTTP date), else a growing wait
 * with jitter so that many clients do not come back in step. Bounded both ways: a few retries, and never a
 * wait past MAX_WAIT_MS (a service asking for longer is told to the user at once instead). Only a request
 * whose body can be sent again is retried: no body, JSON, a file opened anew; not stdin.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
export const MAX_RETRIES = 4;
export const MAX_WAIT_MS = 30_000;
/** Without Retry-After: 0.25–0.5 s, then 0.5–1 s, 1–2 s, 2–4 s. */
const FIRST_BACKOFF_MS = 500;

/** Milliseconds Retry-After asks to wait (RFC 9110 §10.2.3), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export type RetryPlan = { waitMs: number } | { refusal: string };

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

/**
 * Whether and when to send again, after `retriesDone` retries; `refusal` says why not, for the error the
 * user sees.
 */
export function planRetry(asked: number | undefined, retriesDone: number, replayable: boolean, random = Math.random): RetryPlan {
  if (!replayable) {
    return { refusal: `not retried: what was read from stdin cannot be sent again; run the command again ${asked === undefined ? 'later' : `in ${seconds(asked)}`}` };
  }
  if (retriesDone >= MAX_RETRIES) return { refusal: `gave up after ${MAX_RETRIES} retries` };
  if (asked !== undefined && asked > MAX_WAIT_MS) {
    return { refusal: `not retried: the service asks to wait ${seconds(asked)}, longer than the CLI waits (${seconds(MAX_WAIT_MS)}); run the command again later` };
  }
  if (asked !== undefined) return { waitMs: asked };
  const ceiling = Math.min(MAX_WAIT_MS, FIRST_BACKOFF_MS * 2 ** retriesDone);
  return { waitMs: ceiling / 2 + random() * (ceiling / 2) };
}
