/**
 * Downloads: GET and HEAD of an object with Range (206/416), conditionals (304/412), `?download`,
 * the kept headers and user metadata, and the security headers of every download. HEAD never opens the
 * body; GET asks the store for the object and checks the conditionals against what it got, so the
 * validators and the bytes always belong to the same version.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertAllowed } from '../../../auth/authorize.js';
import { ReadHeaders, ReadQuery } from '../../objects/headers.js';
import { readContext, sendObject, sendObjectHead } from '../../objects/send.js';
import { requestSignal } from '../../request-signal.js';
import { objectParams } from './resources.js';
import { Bytes, errorResponses, NoBody, OBJECT_HEADERS_DOC, ObjectParams } from './schemas.js';
import type { V1Options } from './types.js';

const bytesAnswer = (description: string) => ({ description, content: { '*/*': { schema: Bytes } }, headers: OBJECT_HEADERS_DOC });

const readResponses = {
  200: bytesAnswer('The object'),
  206: bytesAnswer('The requested range (Content-Range says which)'),
  304: { ...NoBody, description: 'Not modified (If-None-Match / If-Modified-Since)' },
  ...errorResponses(404, 412, 416),
};

export async function objectReadRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const schema = { tags: ['objects'], params: ObjectParams, querystring: ReadQuery, headers: ReadHeaders, response: readResponses };

  app.get(
    '/buckets/:bucket/objects/*',
    { exposeHeadRoute: false, schema: { ...schema, summary: 'Download an object' } },
    async (request, reply) => {
      const { bucket, key } = objectParams(request.params);
      assertAllowed(request, 'read', bucket, key);
      const ctx = readContext(key, request.query.download, request.headers);
      return sendObject(store, { bucket, key, signal: requestSignal(request, reply) }, reply, ctx);
    },
  );

  app.head(
    '/buckets/:bucket/objects/*',
    { config: { swagger: { exposeHeadRoute: true } }, schema: { ...schema, summary: 'The headers of a download' } },
    async (request, reply) => {
      const { bucket, key } = objectParams(request.params);
      assertAllowed(request, 'read', bucket, key);
      const ctx = readContext(key, request.query.download, request.headers);
      return sendObjectHead(store, { bucket, key, signal: requestSignal(request, reply) }, reply, ctx);
    },
  );
}
