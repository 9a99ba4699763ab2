/** Copy or move an object, within a bucket or across buckets; a move deletes the source after the copy. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { assertAllowed } from '../../../auth/authorize.js';
import { ServiceError } from '../../../errors/codes.js';
import { requestSignal } from '../../request-signal.js';
import { objectJson } from '../../objects/views.js';
import { BucketName, errorResponses, ObjectInfo } from './schemas.js';
import type { V1Options } from './types.js';

const ObjectRef = Type.Object({ bucket: BucketName, key: Type.String({ description: 'Object key' }) });

const CopyBody = Type.Object({
  source: ObjectRef,
  destination: ObjectRef,
  move: Type.Optional(Type.Boolean({ default: false, description: 'Delete the source once copied' })),
});

export async function copyRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/copy',
    {
      schema: {
        tags: ['objects'],
        summary: 'Copy or move an object',
        description: 'Content, kept headers and user metadata are copied.',
        body: CopyBody,
        response: { 200: ObjectInfo, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { source: from, destination: to, move } = request.body;
      if (from.bucket === to.bucket && from.key === to.key) {
        // a move onto itself would delete the object; a copy onto itself changes nothing
        throw new ServiceError('InvalidArgument', 'The source and the destination are the same object.');
      }
      assertAllowed(request, 'read', from.bucket, from.key);
      assertAllowed(request, 'write', to.bucket, to.key);
      if (move) assertAllowed(request, 'delete', from.bucket, from.key);
      const signal = requestSignal(request, reply);
      const meta = await store.copyObject({ sourceBucket: from.bucket, sourceKey: from.key, ...to, signal });
      if (move) await store.deleteObject({ bucket: from.bucket, key: from.key, signal });
      return objectJson(to.bucket, meta);
    },
  );
}
