/**
 * Sending an object: GET and HEAD with Range (206/416), conditionals (304/412), `?download`, the kept
 * headers and user metadata. HEAD never opens the body; GET asks the store for the object and checks the
 * conditionals against what it got, so the validators and the bytes always belong to the same version.
 */
import type { FastifyReply } from 'fastify';
import { isServiceError, ServiceError } from '../../errors/codes.js';
import { rangeSpan, rangeStillApplies } from '../../storage/ranges.js';
import type { ByteRange, CustomerKey, GetObjectResult, ObjectMeta, ObjectStore, RangeCondition } from '../../storage/types.js';
import { storedObjectHeaders } from '../media-type.js';
import { type ConditionalHeaders, evaluatePreconditions, ifRangeCondition } from './conditionals.js';
import { attachment, downloadName } from './disposition.js';
import { metadataHeaders } from './metadata.js';
import { type ByteSpan, contentRange, parseRange, unsatisfiedRange } from './range.js';

export interface ReadContext {
  key: string;
  download: string | undefined;
  range: string | undefined;
  conditions: ConditionalHeaders;
  /** One part of a multipart object instead of a range (S3's partNumber). */
  partNumber?: number | undefined;
  /** Headers a face adds from the object's metadata (S3: its parts count, its checksums when `whole`). */
  extraHeaders?: ((meta: ObjectMeta, whole: boolean) => Record<string, string>) | undefined;
  /** Values that replace the stored headers in this answer (S3's response-* query parameters). */
  overrides?: Record<string, string> | undefined;
}

export function readContext(key: string, download: string | undefined, headers: ConditionalHeaders & { range?: string | undefined }): ReadContext {
  return { key, download, range: headers.range, conditions: headers };
}

function objectHeaders(meta: ObjectMeta, ctx: ReadContext, whole: boolean): Record<string, string | number> {
  const headers = storedObjectHeaders(meta);
  headers['accept-ranges'] = 'bytes';
  Object.assign(headers, metadataHeaders(meta.metadata));
  if (ctx.download !== undefined) headers['content-disposition'] = attachment(downloadName(ctx.key, ctx.download));
  if (ctx.extraHeaders) Object.assign(headers, ctx.extraHeaders(meta, whole));
  if (ctx.overrides) Object.assign(headers, ctx.overrides);
  return headers;
}

/** Status and headers of a 200, or of a 206 when a span is served. */
function answerWith(reply: FastifyReply, headers: Record<string, string | number>, size: number, span: ByteSpan | undefined): FastifyReply {
  if (span) {
    reply.code(206);
    headers['content-range'] = contentRange(span, size);
    headers['content-length'] = span.end - span.start + 1;
  }
  return reply.headers(headers);
}

/** 304 carries the validators (and Cache-Control), never a body. */
function notModified(reply: FastifyReply, meta: ObjectMeta): FastifyReply {
  reply.code(304).headers({ etag: meta.etag, 'last-modified': meta.lastModified.toUTCString() });
  if (meta.cacheControl) reply.header('cache-control', meta.cacheControl);
  return reply.send();
}

/** The finished 304, or a thrown 412, when the preconditions answer instead of the object; else undefined. */
function preconditionAnswer(reply: FastifyReply, meta: ObjectMeta, ctx: ReadContext): FastifyReply | undefined {
  switch (evaluatePreconditions(ctx.conditions, meta)) {
    case 'proceed':
      return undefined;
    case 'not-modified':
      return notModified(reply, meta);
    case 'failed':
      throw new ServiceError('PreconditionFailed', 'The object does not meet the conditions of If-Match or If-Unmodified-Since.');
  }
}

/** A range that selects no byte: the preconditions still come first (RFC 9110 §13.2.2), then 416. */
function unsatisfiable(reply: FastifyReply, meta: ObjectMeta, ctx: ReadContext): FastifyReply {
  const answered = preconditionAnswer(reply, meta, ctx);
  if (answered) return answered;
  reply.header('content-range', unsatisfiedRange(meta.size));
  throw new ServiceError('InvalidRange', `The requested range is not satisfiable: the object has ${meta.size} bytes.`);
}

/** The Range header, with the If-Range condition the store must check; no range when it can never apply. */
function requestedRange(ctx: ReadContext): { range?: ByteRange; rangeIf?: RangeCondition; partNumber?: number } {
  if (ctx.partNumber !== undefined) return { partNumber: ctx.partNumber };
  const range = parseRange(ctx.range);
  const rangeIf = ifRangeCondition(ctx.conditions);
  if (range === undefined || rangeIf === 'never') return {};
  return rangeIf ? { range, rangeIf } : { range };
}

/** The object to read, and the SSE-C key it needs when it has one. */
export type Where = { bucket: string; key: string; customerKey?: CustomerKey | undefined; signal: AbortSignal };

/**
 * The object (whole or the requested span) in one store call, or the finished reply when there is nothing
 * to send; a range past the end asks once more, for the size the 416 names.
 */
async function fetchObject(store: ObjectStore, where: Where, reply: FastifyReply, ctx: ReadContext): Promise<GetObjectResult | FastifyReply> {
  try {
    return await store.getObject({ ...where, ...requestedRange(ctx) });
  } catch (err) {
    if (!(isServiceError(err) && err.code === 'InvalidRange')) throw err;
    return unsatisfiable(reply, await store.headObject(where), ctx);
  }
}

/**
 * Answers a GET of the object at `where` (the v1 route's and a share link's). `beforeBody` runs once the
 * bytes are about to be sent, every precondition passed (a share link counts its use there); what it
 * throws is the answer instead.
 */
export async function sendObject(store: ObjectStore, where: Where, reply: FastifyReply, ctx: ReadContext, beforeBody?: () => Promise<void>): Promise<FastifyReply> {
  const fetched = await fetchObject(store, where, reply, ctx);
  if (!('meta' in fetched)) return fetched;
  const { meta, body, range } = fetched;
  // checked on what the store returned, so that the validators and the bytes are of one version
  let answered: FastifyReply | undefined;
  try {
    answered = preconditionAnswer(reply, meta, ctx);
    if (!answered) await beforeBody?.();
  } catch (err) {
    body.destroy();
    throw err;
  }
  if (answered) {
    body.destroy();
    return answered;
  }
  return answerWith(reply, objectHeaders(meta, ctx, range === undefined), meta.size, range).send(fetched.bytes ?? body);
}

/** Answers a HEAD of the object at `where`: the headers a GET would have, without opening the body. */
export async function sendObjectHead(store: ObjectStore, where: Where, reply: FastifyReply, ctx: ReadContext): Promise<FastifyReply> {
  const meta = await store.headObject({ ...where, partNumber: ctx.partNumber });
  const answered = preconditionAnswer(reply, meta, ctx);
  if (answered) return answered;
  const { range, rangeIf } = requestedRange(ctx);
  const applies = range !== undefined && rangeStillApplies(meta, rangeIf);
  const span = applies ? rangeSpan(meta.size, range) : undefined;
  if (applies && span === undefined) return unsatisfiable(reply, meta, ctx);
  return answerWith(reply, objectHeaders(meta, ctx, span === undefined && ctx.partNumber === undefined), meta.size, span).send();
}
