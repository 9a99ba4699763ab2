import type { FastifyInstance } from 'fastify';
import { DEFAULT_RETRY_AFTER_SECONDS, isServiceError } from '../../errors/codes.js';
import type { ObjectStore, StoreSpace } from '../../storage/types.js';

const READY_TIMEOUT_MS = 5_000;

/** Anyone may ask, as often as a load balancer polls. */
const HEALTH_ROUTE = { public: true, rateLimitClass: 'exempt' } as const;

/** The store's ping, given up after `timeoutMs` even if the store ignores its signal. */
async function pingWithin(store: ObjectStore, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  await Promise.race([store.ping({ signal }), timedOut]);
}

/** Why the store failed its check, in words an operator can act on; internals go to the log only. */
function notReadyReason(err: unknown, timeoutMs: number): string {
  if ((err as Error | undefined)?.name === 'TimeoutError') return `The store did not answer within ${timeoutMs} ms.`;
  if (isServiceError(err)) return err.message;
  return 'The store failed its check with an unexpected error; see the log.';
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** The store's room for writes in words: why it is not ready when full, a warning when low. */
function spaceReport(space: StoreSpace): string {
  const figures = `${mib(space.freeBytes)} free of ${mib(space.totalBytes)}, and it keeps ${mib(space.minFreeBytes)} free`;
  return space.state === 'full'
    ? `The store is full: ${figures}; writes are refused (507) until space is freed, reads and deletes still work.`
    : `The store is nearly full: ${figures}; below that, writes will be refused.`;
}

/**
 * /healthz: the process answers (for restarts). /readyz: the store answers too (for load balancers):
 * 503 with the reason when not, or when it has no room left for writes (a warning in the 200 when it is
 * low). Neither may be cached: a stale "ready" would keep traffic coming.
 */
export async function healthRoutes(app: FastifyInstance, opts: { store: ObjectStore; readyTimeoutMs?: number }): Promise<void> {
  const timeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('/healthz', { config: HEALTH_ROUTE }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: HEALTH_ROUTE }, async (request, reply) => {
    const store = opts.store.kind;
    const notReady = (reason: string, details: object) => {
      request.log.warn({ ...details, store }, `not ready: ${reason}`);
      reply.header('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ status: 'unavailable', store, reason });
    };
    try {
      await pingWithin(opts.store, timeoutMs);
    } catch (err) {
      return notReady(notReadyReason(err, timeoutMs), { err });
    }
    const space = opts.store.space?.();
    if (space?.state === 'full') return notReady(spaceReport(space), { space });
    return { status: 'ready', store, ...(space?.state === 'low' ? { warning: spaceReport(space) } : {}) };
  });
}
