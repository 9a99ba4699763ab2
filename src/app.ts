/** Builds the HTTP app from (config, store, logger). It never listens: main.ts and the tests do. */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installAuth } from './auth/hook.js';
import type { Config } from './config/schema.js';
import { notFound, sendTextError } from './http/errors.js';
import { FaceShapes } from './http/face-shapes.js';
import { nodeServerOptions, registerHardening } from './http/hardening/index.js';
import { healthRoutes } from './http/routes/health.js';
import { registerShareLinks, SHARE_FACE } from './http/routes/share.js';
import { TUTORIAL_FACE, TUTORIAL_PREFIX, tutorialRoutes } from './http/routes/tutorial.js';
import { V1_FACE, V1_PREFIX, v1Routes } from './http/routes/v1/index.js';
import { registerApiDocs } from './http/routes/v1/openapi.js';
import { Metrics, registerMetrics, watchRequest } from './metrics/index.js';
import { instrumentStore } from './storage/instrumented.js';
import { checkedStore } from './core/checked-store.js';
import type { ObjectStore } from './storage/types.js';

export interface AppDeps {
  config: Config;
  store: ObjectStore;
  logger: Logger;
}

/** Longest path parameter: a 1024-byte key, every byte percent-encoded, with room to spare. */
const MAX_PARAM_LENGTH = 4 * 1024;

export async function buildApp({ config, store: rawStore, logger }: AppDeps): Promise<FastifyInstance> {
  const metrics = new Metrics();
  const store = instrumentStore(rawStore, metrics);
  // paths no face claims (/healthz, /metrics, unknown ones) answer errors as text
  const faces = new FaceShapes([TUTORIAL_FACE, V1_FACE, SHARE_FACE], 'text');
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // one line per request instead, with its route pattern (metrics/requests.ts)
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    ...nodeServerOptions(config, logger, faces), // HTTPS, head size, timeouts (src/http/hardening/server-options.ts)
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // on close: idle keep-alive sockets go at once, in-flight requests finish (graceful drain)
    forceCloseConnections: 'idle',
    // requests arriving while it drains are refused by the hardening (503 with Retry-After, in the face's shape)
    return503OnClosing: false,
    // errors found before routing (a malformed percent-encoding in the URL...) in the face's own shape
    frameworkErrors: (err, request, reply) => {
      watchRequest(request, reply, metrics); // these skip the hooks
      reply.header('x-request-id', request.id);
      return faces.send(err, request, reply);
    },
  });

  // before any route: a route keeps the error handler in place when it is registered (/metrics too)
  app.setErrorHandler(sendTextError);
  app.setNotFoundHandler((request, reply) => sendTextError(notFound(`${request.method} ${request.url}`), request, reply));
  await registerMetrics(app, config, metrics); // first hook: it must see every request
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await registerHardening(app, config, faces); // before auth: CORS preflights, URL length, rate limits
  installAuth(app, config.auth); // before every route: each one is authenticated unless public

  await registerApiDocs(app); // first: the document is built from the routes registered after it
  // share links keep their state in a system bucket of the store: every face gets the store without it
  const { store: withoutSystemBucket, shareLinks } = await registerShareLinks(app, { config, store });
  // names are checked before the metrics see a call (a bad name is the caller's error, not the store's), and
  // after the share links' own area, whose bucket on fs has a name no caller can give
  const visible = checkedStore(withoutSystemBucket);
  await app.register(healthRoutes, { store });
  await app.register(tutorialRoutes, { prefix: TUTORIAL_PREFIX, store: visible, maxObjectSize: config.maxObjectSize });
  await app.register(v1Routes, { prefix: V1_PREFIX, store: visible, maxObjectSize: config.maxObjectSize, shareLinks });
  return app;
}
