/**
 * Operations settings: how the service logs and where it exposes its metrics.
 * Spread into the main schema (schema.ts) and the environment table (load.ts).
 */
import { z } from 'zod';

export const OPS_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_LOG_FORMAT: 'logFormat',
  S3GATE_METRICS_PORT: 'metrics.port',
  S3GATE_METRICS_HOST: 'metrics.host',
};

const metricsSchema = z
  .object({
    /**
     * Unset: /metrics on the main listener, behind the `metrics` action (or `admin`). Set: /metrics only on its own
     * listener at host:port, which has no authentication (its bind address is what protects it).
     */
    port: z.coerce.number().int().min(0).max(65535).optional().describe('serve /metrics on its own listener at this port instead of the main one'),
    host: z.string().min(1).default('127.0.0.1').describe("that listener's address"),
  })
  .strict();

export const opsShape = {
  /** auto: human-readable when stdout is a terminal, JSON lines otherwise. */
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto').describe('json, pretty, or auto (pretty on a terminal, else json)'),
  metrics: metricsSchema.prefault({}),
};
