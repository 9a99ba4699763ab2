/**
 * The REST API v1 (docs/api-v1.md): JSON over HTTP under /v1, every route with a schema
 * (and so in the OpenAPI document), every error in one JSON shape with the request id.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, sendJsonError } from '../../errors.js';
import { JSON_ERRORS, type FaceShape } from '../../face-shapes.js';
import { allowOnly } from '../../methods.js';
import { bucketRoutes } from './buckets.js';
import { copyRoutes } from './copy.js';
import { linkRoutes } from './links.js';
import { listingRoutes } from './listing.js';
import { objectDeleteRoutes } from './objects-delete.js';
import { objectReadRoutes } from './objects-read.js';
import { objectWriteRoutes } from './objects-write.js';
import { ErrorBody } from './schemas.js';
import type { V1Options } from './types.js';

export type { V1Options } from './types.js';

export const V1_PREFIX = '/v1';

/** Errors under /v1 are JSON, also where the defences before routing answer. */
export const V1_FACE: FaceShape = { prefix: V1_PREFIX, shape: JSON_ERRORS };

export async function v1Routes(app: FastifyInstance, { store, maxObjectSize, shareLinks }: V1Options): Promise<void> {
  // only our own options go down: the register options (prefix...) must not apply twice
  const opts: V1Options = { store, maxObjectSize, shareLinks };
  app.addSchema(ErrorBody);
  app.setErrorHandler(sendJsonError);
  app.setNotFoundHandler((request, reply) =>
    sendJsonError(notFound(`${request.method} ${request.url}`), request, reply),
  );

  await app.register(bucketRoutes, opts);
  await app.register(listingRoutes, opts);
  await app.register(objectReadRoutes, opts);
  await app.register(objectWriteRoutes, opts); // its own scope: raw bodies, no JSON parser
  await app.register(objectDeleteRoutes, opts);
  await app.register(copyRoutes, opts);
  await app.register(linkRoutes, opts);

  // 405 with Allow for the other methods (schema-less, so left out of the OpenAPI document)
  allowOnly(app, '/buckets', ['GET']);
  allowOnly(app, '/buckets/:bucket', ['GET', 'HEAD', 'PUT', 'DELETE']);
  allowOnly(app, '/buckets/:bucket/objects', ['GET', 'DELETE']);
  allowOnly(app, '/buckets/:bucket/objects/*', ['GET', 'HEAD', 'PUT', 'DELETE']);
  allowOnly(app, '/buckets/:bucket/delete', ['POST']);
  allowOnly(app, '/copy', ['POST']);
}
