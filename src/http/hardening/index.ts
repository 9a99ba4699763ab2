/**
 * The main listener's defences: nodeServerOptions() shapes the Node server (HTTPS, head
 * size, timeouts), registerHardening() adds the per-request checks. The README's Security section says why
 * each default is what it is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Config } from '../../config/schema.js';
import { ServiceError } from '../../errors/codes.js';
import { registerCors } from './cors.js';
import { refuseWhileDraining } from './draining.js';
import type { FaceShapes } from '../face-shapes.js';
import { registerRateLimits } from './rate-limit.js';
import { guardSlowClients } from './slow-clients.js';

export { nodeServerOptions } from './server-options.js';

/** 414 for a request target over the limit, whatever route it would reach (or none). Callback style: no promise per request. */
function refuseLongUrls(max: number, faces: FaceShapes) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const length = request.raw.url?.length ?? 0;
    if (length <= max) return done();
    faces.send(new ServiceError('UriTooLong', `The request target is ${length} bytes long; the limit is ${max}.`), request, reply);
  };
}

/** Call on the root instance, before the authentication hook and the routes: the order of these hooks matters. */
export async function registerHardening(app: FastifyInstance, config: Config, faces: FaceShapes): Promise<void> {
  guardSlowClients(app.server, config.limits, app.log);
  refuseWhileDraining(app, faces);
  await registerCors(app, config.cors); // first: a preflight is answered before anything can refuse it
  app.addHook('onRequest', refuseLongUrls(config.limits.maxUrlLength, faces));
  await registerRateLimits(app, config.rateLimit, faces);
}
