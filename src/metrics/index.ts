/** Request logging and metrics for one app, and where its /metrics is served. */
import type { FastifyInstance } from 'fastify';
import { assertAllowed } from '../auth/authorize.js';
import type { Config } from '../config/schema.js';
import { serveMetricsAlone } from './listener.js';
import type { Metrics } from './registry.js';
import { watchRequest } from './requests.js';

export { Metrics } from './registry.js';
export { watchRequest } from './requests.js';

/** Logs and samples every request of `app` (call before its routes: the hook then sees every request). */
export function registerMetricsCounting(app: FastifyInstance, metrics: Metrics): void {
  // callback style: no promise per request on the hot path
  app.addHook('onRequest', (request, reply, done) => {
    watchRequest(request, reply, metrics);
    done();
  });
}

/**
 * Call before registering routes: the hook then sees every request. /metrics goes on the main listener,
 * behind the `metrics` action (which `admin` on "*" includes), unless `metrics.port` gives it a listener of its own.
 */
export async function registerMetrics(app: FastifyInstance, config: Config, metrics: Metrics): Promise<void> {
  registerMetricsCounting(app, metrics);
  if (config.metrics.port !== undefined) {
    serveMetricsAlone(app, metrics, { host: config.metrics.host, port: config.metrics.port });
    return;
  }
  app.get('/metrics', async (request, reply) => {
    assertAllowed(request, 'metrics');
    const { contentType, text } = await metrics.render();
    return reply.type(contentType).send(text);
  });
}
