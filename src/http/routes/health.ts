import type { FastifyInstance } from 'fastify';
import { errorView } from '../errors.js';
import type { ObjectStore } from '../../storage/types.js';

const READY_TIMEOUT_MS = 5_000;

/** /healthz: the process answers. /readyz: the store answers too (503 with the reason when not). */
export async function healthRoutes(app: FastifyInstance, opts: { store: ObjectStore }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await opts.store.ping({ signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
      return { status: 'ready', store: opts.store.kind };
    } catch (err) {
      const view = errorView(err);
      return reply.code(503).send({ status: 'unavailable', store: opts.store.kind, reason: view.message });
    }
  });
}
