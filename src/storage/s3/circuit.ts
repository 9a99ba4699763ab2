/**
 * A circuit breaker around the s3 store's backend calls, so that a backend known to be down costs callers
 * nothing but a quick 503.
 *
 * - Closed: calls go through. After `threshold` calls in a row failed the "backend unreachable" way (each
 *   after all its tries: timeouts, refused or reset connections, 5xx) it opens.
 * - Open: every call answers ServiceUnavailable at once, without touching the network, saying since when the
 *   backend is down; its Retry-After is when the backend is tried next.
 * - Half-open: once the cooldown is over, one call goes through as a probe; an answer closes the circuit, a
 *   failure opens it again for twice as long (up to maxCooldownMs). A timer of its own probes when no call
 *   comes, so the circuit closes by itself when the backend is back, with or without traffic.
 *
 * Only the backend's behaviour counts (errors.ts judges it): any answer below 500 shows it is up, and a
 * call that ended for our own reasons (the caller's abort, a bad body) says nothing either way.
 */
import { ServiceError } from '../../errors/codes.js';
import type { StoreLog } from './options.js';

/** What one call showed of the backend. */
export type Verdict = 'answered' | 'down' | 'unknown';

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
  /** A cheap backend call of the store's that goes through run() (the timer's own probe). */
  probe: () => Promise<unknown>;
  log?: StoreLog | undefined;
}

interface Outage {
  /** When the first of the failed calls in a row started (Date.now()). */
  since: number;
  /** What the last failure was ("TimeoutError", "ECONNREFUSED", "HTTP 503"). */
  lastFailure: string;
}

export class Circuit {
  #failures = 0;
  #outage: Outage | undefined;
  /** Set while open: when the next probe may go (Date.now()). */
  #nextProbeAt: number | undefined;
  #cooldownMs: number;
  #probing = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly opts: CircuitOptions) {
    this.#cooldownMs = opts.cooldownMs;
  }

  get isOpen(): boolean {
    return this.#nextProbeAt !== undefined;
  }

  /** Runs `call` unless the circuit is open; `verdictOf` says what its failure shows of the backend. */
  async run<T>(call: () => Promise<T>, verdictOf: (err: unknown) => [Verdict, string]): Promise<T> {
    const probe = this.#admit();
    const started = Date.now();
    try {
      const result = await call();
      this.#answered();
      return result;
    } catch (err) {
      const [verdict, what] = verdictOf(err);
      if (verdict === 'answered') this.#answered();
      else if (verdict === 'down') this.#down(probe, { since: started, lastFailure: what });
      else if (probe) this.#openFor(this.#cooldownMs); // no news: try again as soon as before
      throw err;
    } finally {
      if (probe) this.#probing = false;
    }
  }

  /** Stops the timer's probes (the store is closing). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Whether this call may go, and whether it is the probe; throws the refusal when it may not. */
  #admit(): boolean {
    if (this.#nextProbeAt === undefined) return false;
    if (this.#probing || Date.now() < this.#nextProbeAt) throw this.#refusal();
    this.#probing = true;
    return true;
  }

  #refusal(): ServiceError {
    const outage = this.#outage;
    const since = outage ? new Date(outage.since).toISOString() : 'recently';
    const waitMs = this.#probing ? this.#cooldownMs : (this.#nextProbeAt ?? 0) - Date.now();
    const next = this.#probing ? 'it is being tried again now' : `it is tried again in ${Math.ceil(waitMs / 1000)} s`;
    return new ServiceError(
      'ServiceUnavailable',
      `The S3 backend is unavailable: it has failed since ${since} (${outage?.lastFailure ?? 'unreachable'}); ${next}.`,
      { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
    );
  }

  #down(probe: boolean, failure: Outage): void {
    this.#outage = { since: Math.min(this.#outage?.since ?? failure.since, failure.since), lastFailure: failure.lastFailure };
    if (probe) return this.#openFor(Math.min(this.opts.maxCooldownMs, this.#cooldownMs * 2));
    if (this.isOpen) return; // a call that started before the circuit opened
    this.#failures += 1;
    if (this.#failures < this.opts.threshold) return;
    this.#openFor(this.opts.cooldownMs);
    this.opts.log?.warn(
      { since: new Date(this.#outage.since).toISOString(), failures: this.#failures, lastFailure: failure.lastFailure, probeInMs: this.#cooldownMs },
      's3 backend unreachable: circuit open, calls answer 503 at once until a probe gets an answer',
    );
  }

  #answered(): void {
    this.#failures = 0;
    const outage = this.#outage;
    this.#outage = undefined;
    if (!this.isOpen) return;
    this.#nextProbeAt = undefined;
    this.#cooldownMs = this.opts.cooldownMs;
    clearTimeout(this.#timer);
    this.opts.log?.info(
      { since: new Date(outage?.since ?? Date.now()).toISOString(), downMs: Date.now() - (outage?.since ?? Date.now()) },
      's3 backend answers again: circuit closed',
    );
  }

  #openFor(cooldownMs: number): void {
    this.#cooldownMs = cooldownMs;
    this.#nextProbeAt = Date.now() + cooldownMs;
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      // a caller's call may have become the probe already; then its outcome decides
      if (!this.isOpen || this.#probing) return;
      this.#nextProbeAt = Date.now(); // due now, whatever the wall clock did meanwhile
      this.opts.probe().catch(() => {});
    }, cooldownMs);
    this.#timer.unref();
  }
}
