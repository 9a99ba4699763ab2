/**
 * While the app drains (SIGTERM: close() called, in-flight requests finishing), a request that still arrives
 * on an open keep-alive connection is refused with 503 ServiceUnavailable and Retry-After, in its face's
 * shape, and its connection is closed, so that the client goes elsewhere (another instance, or this one
 * after its restart). Fastify's own answer (return503OnClosing) is JSON of its shape, without Retry-After.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ServiceError } from '../../errors/codes.js';
import type { FaceShapes } from '../face-shapes.js';

export function refuseWhileDraining(app: FastifyInstance, faces: FaceShapes): void {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!draining) return done();
    reply.header('connection', 'close');
    faces.send(new ServiceError('ServiceUnavailable', 'The service is shutting down; try again shortly.'), request, reply);
  });
}
