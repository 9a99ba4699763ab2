/**
 * The service's Prometheus metrics. Each app has its own registry (tests run several apps in one
 * process); the process metrics (CPU, memory, event loop, GC) are collected once per process and
 * shown by every app, since they describe the process.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreObserver, StoreOperation } from '../storage/instrumented.js';
import type { StoreSpace } from '../storage/types.js';

const SPACE_STATES: readonly StoreSpace['state'][] = ['ok', 'low', 'full'];

/** Seconds: from a cached small read to a multi-GiB upload. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

let processRegistry: Registry | undefined;

/** Created on first use, not at import: default metrics install observers that live as long as the process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One finished HTTP request, as counted. */
export interface RequestSample {
  method: string;
  /** The route pattern (`/v1/buckets/:bucket`), never the URL: keys and tokens stay out of labels. */
  route: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

export class Metrics implements StoreObserver {
  private readonly own = new Registry();
  readonly registry: Registry;
  readonly inFlight: Gauge;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly bytesIn: Counter<'method' | 'route'>;
  private readonly bytesOut: Counter<'method' | 'route'>;
  private readonly storeDuration: Histogram<'operation' | 'result'>;
  private readonly storeErrors: Counter<'operation' | 'code'>;
  private watchingSpace = false;

  constructor() {
    const registers = [this.own];
    const http = ['method', 'route', 'status'] as const;
    this.inFlight = new Gauge({ name: 's3gate_http_requests_in_flight', help: 'HTTP requests being served now', registers });
    this.requests = new Counter({ name: 's3gate_http_requests_total', help: 'HTTP requests served', labelNames: http, registers });
    this.duration = new Histogram({
      name: 's3gate_http_request_duration_seconds',
      help: 'Time from the request to the end of its answer',
      labelNames: http,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.bytesIn = new Counter({
      name: 's3gate_http_request_bytes_total',
      help: 'Bytes read from clients, request line and headers included',
      labelNames: ['method', 'route'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 's3gate_http_response_bytes_total',
      help: 'Bytes sent to clients, status line and headers included',
      labelNames: ['method', 'route'],
      registers,
    });
    this.storeDuration = new Histogram({
      name: 's3gate_store_operation_duration_seconds',
      help: 'Time a store call took to answer (for a download: until its stream is ready)',
      labelNames: ['operation', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.storeErrors = new Counter({
      name: 's3gate_store_errors_total',
      help: 'Store calls that failed, by error code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.registry = Registry.merge([processMetrics(), this.own]);
  }

  observeRequest(sample: RequestSample): void {
    const labels = { method: sample.method, route: sample.route, status: String(sample.status) };
    this.requests.inc(labels);
    this.duration.observe(labels, sample.durationMs / 1000);
    const traffic = { method: sample.method, route: sample.route };
    this.bytesIn.inc(traffic, sample.bytesIn);
    this.bytesOut.inc(traffic, sample.bytesOut);
  }

  observeStoreCall(operation: StoreOperation, seconds: number, errorCode?: string): void {
    this.storeDuration.observe({ operation, result: errorCode === undefined ? 'ok' : 'error' }, seconds);
    if (errorCode !== undefined) this.storeErrors.inc({ operation, code: errorCode });
  }

  /** Gauges of the store's room for writes, read at each scrape; only for stores that have a disk (fs). */
  watchSpace(space: () => StoreSpace | undefined): void {
    if (this.watchingSpace) return;
    this.watchingSpace = true;
    const registers = [this.registry]; // `own` was merged into it at construction: later additions go here
    const figure = (name: string, help: string, pick: (s: StoreSpace) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const now = space();
          if (now) this.set(pick(now));
        },
      });
    figure('s3gate_store_free_bytes', "Bytes free on the store's file system", (s) => s.freeBytes);
    figure('s3gate_store_size_bytes', "Size of the store's file system", (s) => s.totalBytes);
    figure('s3gate_store_min_free_bytes', 'Free bytes the store keeps: writes that would leave less are refused (507)', (s) => s.minFreeBytes);
    new Gauge({
      name: 's3gate_store_space_state',
      help: "The store's room for writes: 1 for the state it is in (ok; low: within one more floor of full; full: writes refused)",
      labelNames: ['state'],
      registers,
      collect() {
        const now = space();
        if (now) for (const state of SPACE_STATES) this.set({ state }, now.state === state ? 1 : 0);
      },
    });
  }

  /** The exposition text and its Content-Type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
