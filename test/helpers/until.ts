/** Waiting in tests for something that happens by itself (a timer, a background write), with a bound. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every 50 ms until it is true; fails naming `what` after `timeoutMs`. Resolves to the seconds waited. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
  return (performance.now() - started) / 1000;
}
