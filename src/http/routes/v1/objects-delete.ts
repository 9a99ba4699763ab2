/** Deleting objects: one key, every key under a prefix, or a batch of up to 1000 keys with per-key results. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { assertAllowed } from '../../../auth/authorize.js';
import { concealMissing } from '../../../auth/conceal.js';
import { noSuchKey } from '../../../errors/not-found.js';
import type { ObjectStore } from '../../../storage/types.js';
import { errorView } from '../../errors.js';
import { requestSignal } from '../../request-signal.js';
import { deleteEach, deleteUnderPrefix } from './delete-many.js';
import { objectParams } from './resources.js';
import { BucketParams, errorResponses, NoBody, ObjectParams } from './schemas.js';
import type { V1Options } from './types.js';

const MAX_BATCH = 1000;
/** 1000 keys of up to 1024 bytes, JSON-escaped (up to 6 characters a byte), fit. */
const BATCH_BODY_LIMIT = 8 * 1024 * 1024;

const tags = ['objects'];

const BatchResult = Type.Object(
  {
    deleted: Type.Array(Type.String()),
    errors: Type.Array(Type.Object({ key: Type.String(), code: Type.String(), message: Type.String() })),
  },
  { description: 'What was deleted, and why the rest was not' },
);

type KeyOutcome = { key: string; deleted: true } | { key: string; deleted: false; code: string; message: string };

async function deleteOne(request: FastifyRequest, store: ObjectStore, bucket: string, key: string, signal: AbortSignal): Promise<KeyOutcome> {
  try {
    if (await store.deleteObject({ bucket, key, signal })) return { key, deleted: true };
    throw noSuchKey(bucket, key);
  } catch (err) {
    const { code, message } = errorView(concealMissing(request, err, { action: 'delete', bucket, key }));
    return { key, deleted: false, code, message };
  }
}

export async function objectDeleteRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.delete(
    '/buckets/:bucket/objects/*',
    {
      schema: {
        tags,
        summary: 'Delete an object',
        params: ObjectParams,
        response: { 204: { ...NoBody, description: 'Deleted' }, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { bucket, key } = objectParams(request.params);
      assertAllowed(request, 'delete', bucket, key);
      const existed = await store.deleteObject({ bucket, key, signal: requestSignal(request, reply) });
      if (!existed) throw noSuchKey(bucket, key);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/buckets/:bucket/objects',
    {
      schema: {
        tags,
        summary: 'Delete every object under a prefix',
        params: BucketParams,
        querystring: Type.Object({ prefix: Type.String({ minLength: 1, description: 'Required and non-empty, e.g. "photos/"' }) }),
        response: { 200: Type.Object({ deleted: Type.Integer({ minimum: 0 }) }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      // the prefix covers every key under it; list too, since the answer counts what was there
      assertAllowed(request, 'list', bucket, request.query.prefix);
      assertAllowed(request, 'delete', bucket, request.query.prefix);
      return { deleted: await deleteUnderPrefix(store, bucket, request.query.prefix, requestSignal(request, reply)) };
    },
  );

  app.post(
    '/buckets/:bucket/delete',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Delete a batch of objects',
        description: 'Each key is reported in `deleted` or in `errors` (with its code: InvalidKey, NoSuchKey, ...).',
        params: BucketParams,
        body: Type.Object({ keys: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_BATCH }) }),
        response: { 200: BatchResult, ...errorResponses(404, 413) },
      },
    },
    async (request, reply) => {
      const bucket = request.params.bucket;
      for (const key of request.body.keys) assertAllowed(request, 'delete', bucket, key); // all or nothing, before any store call
      const signal = requestSignal(request, reply);
      await store.headBucket({ bucket, signal }); // a missing bucket fails the whole request, not each key
      const keys = [...new Set(request.body.keys)];
      const outcomes = await deleteEach(keys, (key) => deleteOne(request, store, bucket, key, signal));
      return {
        deleted: outcomes.filter((o) => o.deleted).map((o) => o.key),
        errors: outcomes.flatMap((o) => (o.deleted ? [] : [{ key: o.key, code: o.code, message: o.message }])),
      };
    },
  );
}
