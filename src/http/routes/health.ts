import type { FastifyInstance } from 'fastify';
import { DEFAULT_RETRY_AFTER_SECONDS, isServiceError } from '../../errors/codes.js';
import type { ObjectStore } from '../../storage/types.js';

const READY_TIMEOUT_MS = 5_000;

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

/**
 * /healthz: the process answers (for restarts). /readyz: the store answers too (for load balancers):
 * 503 with the reason when not. Neither may be cached: a stale "ready" would keep traffic coming.
 */
export async function healthRoutes(app: FastifyInstance, opts: { store: ObjectStore; readyTimeoutMs?: number }): Promise<void> {
  const timeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await pingWithin(opts.store, timeoutMs);
      return { status: 'ready', store: opts.store.kind };
    } catch (err) {
      const reason = notReadyReason(err, timeoutMs);
      request.log.warn({ err, store: opts.store.kind }, `not ready: ${reason}`);
      reply.header('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
      return reply.code(503).send({ status: 'unavailable', store: opts.store.kind, reason });
    }
  });
}
