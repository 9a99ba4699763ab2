/**
 * Receiving an object: the request body streamed to the store (never buffered), with the size limit
 * enforced while it flows, Content-MD5 checked by the store, If-None-Match: * / If-Match preconditions,
 * and the kept headers and user metadata.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { isServiceError, ServiceError } from '../../errors/codes.js';
import { sameEtag } from '../../storage/preconditions.js';
import type { ObjectMeta, ObjectStore, WriteConditions } from '../../storage/types.js';
import { declaredLength, limitedBody } from '../body.js';
import { requestSignal } from '../request-signal.js';
import type { WriteHeaders } from './headers.js';
import { contentMd5Of, keptHeaders, userMetadata } from './metadata.js';

/** A write's If-Match and If-None-Match, each `*` or one quoted ETag (its face has checked the syntax). */
export interface AskedWriteConditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
}

/**
 * The conditions a write puts on the key's current object, as the store takes them. If-Match `*` and
 * If-None-Match with an ETag are not store conditions: they are decided against the current object here,
 * and the write is then pinned to that object (or to no object), so the store refuses it if the key
 * changed meanwhile. A weak If-Match tag can never match strongly; `missing` is what an If-Match on a
 * key without an object answers (HTTP says 412, S3 says 404 NoSuchKey).
 */
export async function resolveWriteConditions(
  store: ObjectStore,
  asked: AskedWriteConditions,
  where: { bucket: string; key: string; signal: AbortSignal },
  missing: () => ServiceError,
): Promise<WriteConditions> {
  const { ifMatch, ifNoneMatch } = asked;
  // the store decides these alone, atomically
  if (ifMatch === undefined && (ifNoneMatch === undefined || ifNoneMatch === '*')) return { ifNoneMatch };
  if (ifMatch !== undefined && ifMatch.startsWith('W/')) throw matchFailed(where.key, 'If-Match');
  const current = await currentEtag(store, where);
  if (ifMatch !== undefined) {
    if (current === undefined) throw missing();
    if (ifMatch !== '*' && !sameEtag(current, ifMatch)) throw matchFailed(where.key, 'If-Match');
  }
  if (ifNoneMatch !== undefined && current !== undefined && (ifNoneMatch === '*' || sameEtag(current, ifNoneMatch))) {
    throw matchFailed(where.key, 'If-None-Match');
  }
  return current === undefined ? { ifNoneMatch: '*' } : { ifMatch: current };
}

const matchFailed = (key: string, condition: string) => new ServiceError('PreconditionFailed', `"${key}" does not meet ${condition}.`);

async function currentEtag(store: ObjectStore, where: { bucket: string; key: string; signal: AbortSignal }): Promise<string | undefined> {
  try {
    return (await store.headObject(where)).etag;
  } catch (err) {
    if (isServiceError(err) && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** v1's If-Match: `*` or one quoted ETag. */
function v1IfMatch(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (value === undefined || value === '*' || value.startsWith('W/')) return value;
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
  const conditions = await resolveWriteConditions(
    store,
    { ifMatch: v1IfMatch(headers['if-match']), ifNoneMatch: headers['if-none-match'] },
    { bucket, key, signal },
    () => new ServiceError('PreconditionFailed', `"${key}" does not exist (If-Match).`),
  );
  return store.putObject({
    bucket,
    key,
    body: limitedBody(request, maxObjectSize),
    ...keptHeaders(headers),
    contentLength: declaredLength(request),
    metadata,
    contentMd5,
    ...conditions,
    signal,
  });
}
