/** Buckets: list, create, read, head, delete (with `?force=true`, emptied first). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { assertAllowed } from '../../../auth/authorize.js';
import { requestSignal } from '../../request-signal.js';
import { deleteUnderPrefix } from './delete-many.js';
import { bucketJson } from './resources.js';
import { BucketInfo, BucketParams, errorResponses, NoBody } from './schemas.js';
import type { V1Options } from './types.js';

const tags = ['buckets'];
/** HEAD routes are left out of the document unless a route asks (see @fastify/swagger). */
const documentedHead = { swagger: { exposeHeadRoute: true } };

export async function bucketRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/buckets',
    {
      schema: {
        tags,
        summary: 'List buckets',
        response: { 200: Type.Object({ buckets: Type.Array(BucketInfo) }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      assertAllowed(request, 'list');
      const buckets = await store.listBuckets({ signal: requestSignal(request, reply) });
      return { buckets: buckets.map(bucketJson) };
    },
  );

  app.put(
    '/buckets/:bucket',
    {
      schema: {
        tags,
        summary: 'Create a bucket',
        params: BucketParams,
        response: { 201: BucketInfo, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      assertAllowed(request, 'admin', bucket);
      const signal = requestSignal(request, reply);
      await store.createBucket({ bucket, signal });
      return reply.code(201).send(bucketJson(await store.headBucket({ bucket, signal })));
    },
  );

  app.get(
    '/buckets/:bucket',
    {
      exposeHeadRoute: false,
      schema: { tags, summary: 'Read a bucket', params: BucketParams, response: { 200: BucketInfo, ...errorResponses(404) } },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      assertAllowed(request, 'list', bucket);
      return bucketJson(await store.headBucket({ bucket, signal: requestSignal(request, reply) }));
    },
  );

  app.head(
    '/buckets/:bucket',
    {
      config: documentedHead,
      schema: {
        tags,
        summary: 'Whether a bucket exists',
        params: BucketParams,
        response: { 200: { ...NoBody, description: 'It exists' }, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      assertAllowed(request, 'list', bucket);
      await store.headBucket({ bucket, signal: requestSignal(request, reply) });
      return reply.code(200).send();
    },
  );

  app.delete(
    '/buckets/:bucket',
    {
      schema: {
        tags,
        summary: 'Delete a bucket',
        description: 'Refuses a bucket that holds objects (409 BucketNotEmpty) unless `force=true`, which deletes them first.',
        params: BucketParams,
        querystring: Type.Object({ force: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 204: { ...NoBody, description: 'Deleted' }, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      assertAllowed(request, 'admin', bucket); // admin includes deleting what a forced delete empties
      const signal = requestSignal(request, reply);
      if (request.query.force) await deleteUnderPrefix(store, bucket, '', signal);
      await store.deleteBucket({ bucket, signal });
      return reply.code(204).send();
    },
  );
}
