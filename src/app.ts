/** Builds one listener's HTTP app from the core (core/core.ts). It never listens: server.ts and the tests do. */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAuth } from './auth/hook.js';
import { notFound, sendTextError } from './http/errors.js';
import { FaceShapes, TEXT_ERRORS } from './http/face-shapes.js';
import { nodeServerOptions, registerHardening } from './http/hardening/index.js';
import { healthRoutes } from './http/routes/health.js';
import { SHARE_FACE, shareRoutes } from './http/routes/share.js';
import { TUTORIAL_FACE, TUTORIAL_PREFIX, tutorialRoutes } from './http/routes/tutorial.js';
import { V1_FACE, V1_PREFIX, v1Routes } from './http/routes/v1/index.js';
import { registerApiDocs } from './http/routes/v1/openapi.js';
import { registerMetrics, watchRequest } from './metrics/index.js';
import type { Core } from './core/core.js';

/** Longest path parameter: a 1024-byte key, every byte percent-encoded, with room to spare. */
const MAX_PARAM_LENGTH = 4 * 1024;

export async function buildApp(core: Core): Promise<FastifyInstance> {
  const { config, logger, metrics } = core;
  // paths no face claims (/healthz, /metrics, unknown ones) answer errors as text
  const faces = new FaceShapes([TUTORIAL_FACE, V1_FACE, SHARE_FACE], TEXT_ERRORS);
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
  installAuth(app, core.keys); // before every route: each one is authenticated unless public

  await registerApiDocs(app); // first: the document is built from the routes registered after it
  const { maxObjectSize } = config;
  await app.register(shareRoutes, { service: core.links.service, store: core.linkStore, keys: core.keys, maxObjectSize });
  await app.register(healthRoutes, { store: core.measuredStore });
  await app.register(tutorialRoutes, { prefix: TUTORIAL_PREFIX, store: core.store, maxObjectSize });
  await app.register(v1Routes, { prefix: V1_PREFIX, store: core.store, maxObjectSize, shareLinks: core.links });
  return app;
}
