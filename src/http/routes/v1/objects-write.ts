/**
 * Uploads: PUT streams the request body to the store (never buffered), with the size limit enforced
 * while it flows, Content-MD5 checked by the store, If-None-Match: * / If-Match preconditions, and the
 * kept headers and user metadata. In a scope of its own: it takes raw bodies of any type.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertAllowed } from '../../../auth/authorize.js';
import { acceptRawBodies } from '../../body.js';
import { WriteHeaders } from '../../objects/headers.js';
import { storeRequestBody } from '../../objects/receive.js';
import { objectJson } from '../../objects/views.js';
import { objectParams } from './resources.js';
import { Bytes, errorResponses, ObjectInfo, ObjectParams } from './schemas.js';
import type { V1Options } from './types.js';

export async function objectWriteRoutes(fastify: FastifyInstance, { store, maxObjectSize }: V1Options): Promise<void> {
  acceptRawBodies(fastify);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    '/buckets/:bucket/objects/*',
    {
      schema: {
        tags: ['objects'],
        summary: 'Upload an object',
        description: `Streams the body to the store; \`x-amz-meta-<name>\` headers are kept as user metadata. Over ${maxObjectSize} bytes: 413, nothing stored.`,
        params: ObjectParams,
        headers: WriteHeaders,
        // any media type, never parsed: the empty media-type key keeps Fastify from validating the stream
        body: { content: { '*/*': { schema: Bytes } } },
        response: { 201: ObjectInfo, ...errorResponses(404, 412, 413) },
      },
    },
    async (request, reply) => {
      const { bucket, key } = objectParams(request.params);
      assertAllowed(request, 'write', bucket, key);
      const meta = await storeRequestBody(store, maxObjectSize, { bucket, key }, request, reply);
      return reply.code(201).send(objectJson(bucket, meta));
    },
  );
}
