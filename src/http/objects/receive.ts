/**
 * Receiving an object: the request body streamed to the store (never buffered), with the size limit
 * enforced while it flows, Content-MD5 checked by the store, If-None-Match: * / If-Match preconditions,
 * and the kept headers and user metadata.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { isServiceError, ServiceError } from '../../errors/codes.js';
import type { ObjectMeta, ObjectStore } from '../../storage/types.js';
import { declaredLength, limitedBody } from '../body.js';
import { requestSignal } from '../request-signal.js';
import type { WriteHeaders } from './headers.js';
import { contentMd5Of, keptHeaders, userMetadata } from './metadata.js';

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
      return (await store.headObject({ bucket: where.bucket, key: where.key, signal: where.signal })).etag;
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
