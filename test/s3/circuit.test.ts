/**
 * The s3 store's circuit breaker on its own, with calls of the test's own that succeed or fail the way the
 * store's verdicts say (the store's use of it is tested against real fault servers in hung-backend.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isServiceError } from '../../src/errors/codes.js';
import { Circuit, type CircuitOptions, type Verdict } from '../../src/storage/s3/circuit.js';

const failing = (verdict: Verdict) => () => Promise.reject(Object.assign(new Error(verdict), { verdict }));
const verdictOf = (err: unknown): [Verdict, string] => [(err as { verdict: Verdict }).verdict, 'ECONNREFUSED'];

function circuit(extra: Partial<CircuitOptions> = {}) {
  const lines: string[] = [];
  const opts: CircuitOptions = {
    threshold: 3,
    cooldownMs: 60_000,
    maxCooldownMs: 60_000,
    probe: () => Promise.resolve(),
    log: { info: (_f, message) => lines.push(message), warn: (_f, message) => lines.push(message) },
    ...extra,
  };
  return { breaker: new Circuit(opts), lines };
}

async function fails(breaker: Circuit, verdict: Verdict, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.run(failing(verdict), verdictOf), { message: verdict });
}

describe('s3 store circuit', () => {
  it('opens after `threshold` failures of the backend in a row, then refuses at once without calling', async () => {
    const { breaker, lines } = circuit();
    try {
      await fails(breaker, 'down', 2);
      assert.equal(breaker.isOpen, false);
      await fails(breaker, 'down');
      assert.equal(breaker.isOpen, true);
      assert.equal(lines.length, 1);
      let called = false;
      await assert.rejects(
        breaker.run(async () => {
          called = true;
        }, verdictOf),
        (err: unknown) => {
          assert.ok(isServiceError(err));
          assert.equal(err.code, 'ServiceUnavailable');
          assert.match(err.message, /failed since \d{4}-\d\d-\d\dT.*ECONNREFUSED.*tried again in 60 s/);
          assert.equal(err.retryAfterSeconds, 60);
          return true;
        },
      );
      assert.equal(called, false);
    } finally {
      breaker.stop();
    }
  });

  it('is not opened by answers of the backend (client errors) nor by calls that say nothing (aborts)', async () => {
    const { breaker } = circuit();
    try {
      await fails(breaker, 'down', 2);
      await fails(breaker, 'answered'); // NoSuchKey, AccessDenied...: the backend is up
      await fails(breaker, 'down', 2);
      await fails(breaker, 'unknown', 5); // the caller's abort: no news
      assert.equal(breaker.isOpen, false, 'the answer started the count again; aborts did not count');
      await fails(breaker, 'down');
      assert.equal(breaker.isOpen, true);
    } finally {
      breaker.stop();
    }
  });

  it('probes by itself after the cooldown and closes when the backend answers', async () => {
    let probes = 0;
    const { breaker, lines } = circuit({ cooldownMs: 100, probe: () => breaker.run(async () => void (probes += 1), verdictOf) });
    try {
      await fails(breaker, 'down', 3);
      assert.equal(breaker.isOpen, true);
      await sleep(1_000);
      assert.equal(probes, 1);
      assert.equal(breaker.isOpen, false);
      assert.deepEqual(lines, [
        's3 backend unreachable: circuit open, calls answer 503 at once until a probe gets an answer',
        's3 backend answers again: circuit closed',
      ]);
      await breaker.run(() => Promise.resolve(), verdictOf);
    } finally {
      breaker.stop();
    }
  });

  it('lets one call through as the probe, refusing the others meanwhile', async () => {
    const { breaker } = circuit({ cooldownMs: 50 });
    try {
      await fails(breaker, 'down', 3);
      await sleep(100);
      let release = () => {};
      const probe = breaker.run(() => new Promise<void>((resolve) => (release = resolve)), verdictOf);
      await assert.rejects(breaker.run(() => Promise.resolve(), verdictOf), /being tried again now/);
      release();
      await probe;
      assert.equal(breaker.isOpen, false);
    } finally {
      breaker.stop();
    }
  });

  it('waits longer after each failed probe, up to maxCooldownMs, and stops probing when stopped', async () => {
    const at: number[] = [];
    const { breaker } = circuit({
      cooldownMs: 200,
      maxCooldownMs: 500,
      probe: () => breaker.run(() => (at.push(performance.now()), Promise.reject(Object.assign(new Error('down'), { verdict: 'down' }))), verdictOf),
    });
    const opened = performance.now();
    await fails(breaker, 'down', 3);
    await sleep(2_200); // probes near 200, 600, 1100, 1600, 2100 ms
    breaker.stop();
    const gaps = at.map((t, i) => t - (i === 0 ? opened : (at[i - 1] ?? 0)));
    console.log(`probe gaps: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
    assert.ok(gaps.length >= 3, `probed ${gaps.length} times`);
    assert.ok((gaps[0] ?? 0) >= 190, 'first probe after the cooldown');
    assert.ok((gaps[1] ?? 0) >= 390, 'then after twice the cooldown');
    assert.ok((gaps[2] ?? 0) >= 490, 'then after the bound');
    for (const gap of gaps.slice(2)) assert.ok(gap < 1_500, `never much more than the bound (${gap.toFixed(0)} ms)`);
    const probes = at.length;
    await sleep(700);
    assert.equal(at.length, probes, 'no probe once stopped');
  });
});
