/**
 * Downloads: GET and HEAD of an object with Range (206/416), conditionals (304/412), `?download`,
 * the kept headers and user metadata, and the security headers of every download. HEAD never opens the
 * body; GET asks the store for the object and checks the conditionals against what it got, so the
 * validators and the bytes always belong to the same version.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { isServiceError, ServiceError } from '../../../errors/codes.js';
import type { ByteRange, GetObjectResult, ObjectMeta, ObjectStore } from '../../../storage/types.js';
import { storedObjectHeaders } from '../../media-type.js';
import { requestSignal } from '../../request-signal.js';
import { type ConditionalHeaders, evaluatePreconditions, rangeStillApplies } from './conditionals.js';
import { attachment, downloadName } from './disposition.js';
import { metadataHeaders } from './metadata.js';
import { contentRange, isSuffix, parseRange, type RangeRequest, resolveRange, unsatisfiedRange } from './range.js';
import { checkedObject } from './resources.js';
import { Bytes, errorResponses, NoBody, OBJECT_HEADERS_DOC, ObjectParams } from './schemas.js';
import type { V1Options } from './types.js';

const ReadHeaders = Type.Object({
  range: Type.Optional(Type.String({ description: 'bytes=a-b, bytes=a- or bytes=-n (one range)' })),
  'if-match': Type.Optional(Type.String()),
  'if-none-match': Type.Optional(Type.String()),
  'if-modified-since': Type.Optional(Type.String()),
  'if-unmodified-since': Type.Optional(Type.String()),
  'if-range': Type.Optional(Type.String()),
});

const ReadQuery = Type.Object({
  download: Type.Optional(
    Type.String({ maxLength: 1024, description: 'Present: answer as an attachment, named by the value or by the key' }),
  ),
});

const bytesAnswer = (description: string) => ({ description, content: { '*/*': { schema: Bytes } }, headers: OBJECT_HEADERS_DOC });

const readResponses = {
  200: bytesAnswer('The object'),
  206: bytesAnswer('The requested range (Content-Range says which)'),
  304: { ...NoBody, description: 'Not modified (If-None-Match / If-Modified-Since)' },
  ...errorResponses(404, 412, 416),
};

interface ReadContext {
  key: string;
  download: string | undefined;
  conditions: ConditionalHeaders;
}

function objectHeaders(meta: ObjectMeta, ctx: ReadContext): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    ...storedObjectHeaders(meta),
    'accept-ranges': 'bytes',
    ...metadataHeaders(meta.metadata),
  };
  if (ctx.download !== undefined) headers['content-disposition'] = attachment(downloadName(ctx.key, ctx.download));
  return headers;
}

/** 304 carries the validators (and Cache-Control), never a body. */
function notModified(reply: FastifyReply, meta: ObjectMeta): FastifyReply {
  reply.code(304).headers({ etag: meta.etag, 'last-modified': meta.lastModified.toUTCString() });
  if (meta.cacheControl) reply.header('cache-control', meta.cacheControl);
  return reply.send();
}

const preconditionFailed = () =>
  new ServiceError('PreconditionFailed', 'The object does not meet the conditions of If-Match or If-Unmodified-Since.');

/** Applies the preconditions; returns the finished 304 reply when they answer instead of the object. */
function conditionalAnswer(reply: FastifyReply, meta: ObjectMeta, ctx: ReadContext): FastifyReply | undefined {
  const verdict = evaluatePreconditions(ctx.conditions, meta);
  if (verdict === 'failed') throw preconditionFailed();
  return verdict === 'not-modified' ? notModified(reply, meta) : undefined;
}

function rangeNotSatisfiable(reply: FastifyReply, size: number): ServiceError {
  reply.header('content-range', unsatisfiedRange(size));
  return new ServiceError('InvalidRange', `The requested range is not satisfiable: the object has ${size} bytes.`);
}

/** The Range header when it applies: parsed, and not voided by If-Range. */
function requestedRange(range: string | undefined, meta: ObjectMeta | undefined, ctx: ReadContext): RangeRequest | undefined {
  const parsed = parseRange(range);
  if (parsed === undefined || meta === undefined) return parsed;
  return rangeStillApplies(ctx.conditions, meta) ? parsed : undefined;
}

async function fetchObject(
  store: ObjectStore,
  where: { bucket: string; key: string; signal: AbortSignal },
  rangeHeader: string | undefined,
  reply: FastifyReply,
  ctx: ReadContext,
): Promise<GetObjectResult | FastifyReply> {
  const raw = parseRange(rangeHeader);
  // a suffix range needs the size, and If-Range the validators, before the bytes can be asked for
  const known = raw && (isSuffix(raw) || ctx.conditions['if-range'] !== undefined)
    ? await store.headObject(where.bucket, where.key, { signal: where.signal })
    : undefined;
  const range = requestedRange(rangeHeader, known, ctx);
  let span: ByteRange | undefined = range && !isSuffix(range) ? range : undefined;
  if (range && known) {
    span = resolveRange(range, known.size);
    if (span === undefined) {
      const answered = conditionalAnswer(reply, known, ctx);
      if (answered) return answered;
      throw rangeNotSatisfiable(reply, known.size);
    }
  }
  try {
    const result = await store.getObject({ ...where, range: span });
    if (known === undefined || result.meta.etag === known.etag) return result;
    // replaced since the head: the span may not fit the new object, so serve it whole (RFC 9110 allows it)
    result.body.destroy();
    return await store.getObject(where);
  } catch (err) {
    if (!(isServiceError(err) && err.code === 'InvalidRange')) throw err;
    const meta = await store.headObject(where.bucket, where.key, { signal: where.signal });
    const answered = conditionalAnswer(reply, meta, ctx);
    if (answered) return answered;
    throw rangeNotSatisfiable(reply, meta.size);
  }
}

export async function objectReadRoutes(fastify: FastifyInstance, { store }: V1Options): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const schema = { tags: ['objects'], params: ObjectParams, querystring: ReadQuery, headers: ReadHeaders, response: readResponses };

  app.get(
    '/buckets/:bucket/objects/*',
    { exposeHeadRoute: false, schema: { ...schema, summary: 'Download an object' } },
    async (request, reply) => {
      const { bucket, key } = checkedObject(request.params);
      const ctx: ReadContext = { key, download: request.query.download, conditions: request.headers };
      const signal = requestSignal(request, reply);
      const fetched = await fetchObject(store, { bucket, key, signal }, request.headers.range, reply, ctx);
      if (!('body' in fetched)) return fetched;
      const { meta, body, range } = fetched;
      try {
        const answered = conditionalAnswer(reply, meta, ctx);
        if (answered) {
          body.destroy();
          return answered;
        }
      } catch (err) {
        body.destroy();
        throw err;
      }
      const headers = objectHeaders(meta, ctx);
      if (range) {
        reply.code(206);
        headers['content-range'] = contentRange(range, meta.size);
        headers['content-length'] = range.end - range.start + 1;
      }
      return reply.headers(headers).send(body);
    },
  );

  app.head(
    '/buckets/:bucket/objects/*',
    { config: { swagger: { exposeHeadRoute: true } }, schema: { ...schema, summary: 'The headers of a download' } },
    async (request, reply) => {
      const { bucket, key } = checkedObject(request.params);
      const ctx: ReadContext = { key, download: request.query.download, conditions: request.headers };
      const meta = await store.headObject(bucket, key, { signal: requestSignal(request, reply) });
      const answered = conditionalAnswer(reply, meta, ctx);
      if (answered) return answered;
      const headers = objectHeaders(meta, ctx);
      const range = requestedRange(request.headers.range, meta, ctx);
      if (range) {
        const span = resolveRange(range, meta.size);
        if (span === undefined) throw rangeNotSatisfiable(reply, meta.size);
        reply.code(206);
        headers['content-range'] = contentRange(span, meta.size);
        headers['content-length'] = span.end - span.start + 1;
      }
      return reply.headers(headers).send();
    },
  );
}
