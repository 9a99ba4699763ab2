/**
 * Uploads: PUT streams the request body to the store (never buffered), with the size limit enforced
 * while it flows, Content-MD5 checked by the store, If-None-Match: * / If-Match preconditions, and the
 * kept headers and user metadata. In a scope of its own: it takes raw bodies of any type.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { assertAllowed } from '../../../auth/authorize.js';
import { isServiceError, ServiceError } from '../../../errors/codes.js';
import type { ObjectMeta, ObjectStore } from '../../../storage/types.js';
import { acceptRawBodies, declaredLength, limitedBody } from '../../body.js';
import { requestSignal } from '../../request-signal.js';
import { contentMd5Of, keptHeaders, userMetadata } from './metadata.js';
import { checkedObject, objectJson } from './resources.js';
import { Bytes, errorResponses, ObjectInfo, ObjectParams } from './schemas.js';
import type { V1Options } from './types.js';

export const WriteHeaders = Type.Object({
  'content-type': Type.Optional(Type.String({ description: 'Kept and served back (default application/octet-stream)' })),
  'cache-control': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-disposition': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-encoding': Type.Optional(Type.String({ description: 'Kept and served back' })),
  'content-md5': Type.Optional(Type.String({ description: 'Base64 MD5 of the body: 400 BadDigest and nothing stored on mismatch' })),
  'if-none-match': Type.Optional(Type.Literal('*', { description: '*: store only if the key does not exist yet' })),
  'if-match': Type.Optional(Type.String({ description: 'One quoted ETag or *: store only over that object' })),
});

/**
 * If-Match as the store takes it: one quoted ETag. `*` (any current object) becomes the current ETag;
 * a weak tag can never match strongly, so it fails at once.
 */
async function ifMatchOf(store: ObjectStore, header: string | undefined, where: { bucket: string; key: string; signal: AbortSignal }): Promise<string | undefined> {
  if (header === undefined) return undefined;
  const value = header.trim();
  const failed = () => new ServiceError('PreconditionFailed', `"${where.key}" does not match If-Match.`);
  if (value === '*') {
    try {
      return (await store.headObject(where.bucket, where.key, { signal: where.signal })).etag;
    } catch (err) {
      if (isServiceError(err) && err.code === 'NoSuchKey') throw failed();
      throw err;
    }
  }
  if (value.startsWith('W/')) throw failed();
  if (!/^"[^"]*"$/.test(value)) {
    throw new ServiceError('InvalidArgument', 'If-Match on an upload takes one quoted ETag or *.');
  }
  return value;
}

/** A request whose headers passed WriteHeaders. */
export type UploadRequest = FastifyRequest & { headers: Static<typeof WriteHeaders> };

/**
 * Streams the request body to `bucket/key` under every upload rule of v1 (the v1 route's and a share
 * link's): the size limit, Content-MD5, If-None-Match / If-Match, the kept headers and user metadata.
 */
export async function storeRequestBody(
  store: ObjectStore,
  maxObjectSize: number,
  { bucket, key }: { bucket: string; key: string },
  request: UploadRequest,
  reply: FastifyReply,
): Promise<ObjectMeta> {
  const headers = request.headers;
  const signal = requestSignal(request, reply);
  const contentMd5 = contentMd5Of(headers['content-md5']);
  const metadata = userMetadata(headers);
  const ifMatch = await ifMatchOf(store, headers['if-match'], { bucket, key, signal });
  return store.putObject({
    bucket,
    key,
    body: limitedBody(request, maxObjectSize),
    ...keptHeaders(headers),
    contentLength: declaredLength(request),
    metadata,
    contentMd5,
    ifNoneMatch: headers['if-none-match'] === '*' ? '*' : undefined,
    ifMatch,
    signal,
  });
}

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
      const { bucket, key } = checkedObject(request.params);
      assertAllowed(request, 'write', bucket, key);
      const meta = await storeRequestBody(store, maxObjectSize, { bucket, key }, request, reply);
      return reply.code(201).send(objectJson(bucket, meta));
    },
  );
}
