/**
 * Builds the S3-compatible listener's app from the core (core/core.ts): the same store, keys, metrics and
 * defences as the main listener, SigV4 as its authentication scheme and S3's XML as its error shape.
 * It never listens: server.ts and the tests do.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAuth } from './auth/hook.js';
import { sigv4Scheme } from './auth/sigv4/scheme.js';
import type { Core } from './core/core.js';
import { FaceShapes } from './http/face-shapes.js';
import { nodeServerOptions, registerHardening } from './http/hardening/index.js';
import { applyBucketCors } from './http/routes/s3/cors.js';
import { S3_FACE, s3Routes, sendXmlError } from './http/routes/s3/index.js';
import { registerMetricsCounting, watchRequest } from './metrics/index.js';

export async function buildS3App(core: Core): Promise<FastifyInstance> {
  const { config, logger, metrics } = core;
  const faces = new FaceShapes([], S3_FACE.shape);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    ...nodeServerOptions(config, logger, faces),
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => {
      watchRequest(request, reply, metrics);
      reply.header('x-amz-request-id', request.id);
      return faces.send(err, request, reply);
    },
  });
  app.setErrorHandler(sendXmlError);
  registerMetricsCounting(app, metrics);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id);
    reply.header('server', 's3gate');
    done();
  });
  // each bucket's CORS rules apply here, as on S3, instead of the main listener's global origins
  await registerHardening(app, { ...config, cors: { ...config.cors, origins: [] } }, faces);
  installAuth(app, core.keys, [sigv4Scheme()]);
  const { maxObjectSize } = config;
  const { region, domain } = config.s3api;
  const store = applyBucketCors(app, core.store, domain);
  await app.register(s3Routes, { store, maxObjectSize, region, domain, keys: core.keys });
  return app;
}
