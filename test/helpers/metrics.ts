/** Reading the service's Prometheus text in tests. */
import { request } from 'undici';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name as string] = value as string;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export async function scrape(url: string): Promise<Sample[]> {
  const res = await request(url);
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${text}`);
  return parseMetrics(text);
}

/** Requests the service counts in flight besides the scrape that reports them. */
const othersInFlight = (samples: Sample[]) => total(samples, 's3gate_http_requests_in_flight') - 1;

/** Scrapes every 10 ms until `done` holds of a scrape, which it returns; fails, saying `waitingFor`, after `timeoutMs`. */
async function scrapeUntil(metricsUrl: string, done: (samples: Sample[]) => boolean, waitingFor: string, timeoutMs: number): Promise<Sample[]> {
  for (const started = Date.now(); ; ) {
    const samples = await scrape(metricsUrl);
    if (done(samples)) return samples;
    if (Date.now() - started > timeoutMs) throw new Error(`still waiting for ${waitingFor} at ${metricsUrl} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once the service counts at least `n` requests in flight besides the scrape itself. */
export async function untilInFlight(metricsUrl: string, n: number, timeoutMs = 10_000): Promise<void> {
  await scrapeUntil(metricsUrl, (samples) => othersInFlight(samples) >= n, `${n} requests in flight`, timeoutMs);
}

/**
 * A scrape taken once every earlier request is counted: a request is sampled when its connection is done
 * with it, which may be just after its client has read the whole answer.
 */
export function settledScrape(metricsUrl: string, timeoutMs = 10_000): Promise<Sample[]> {
  return scrapeUntil(metricsUrl, (samples) => othersInFlight(samples) === 0, 'no request in flight but the scrape', timeoutMs);
}
