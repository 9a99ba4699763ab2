/** One object: PutObject, GetObject, HeadObject, DeleteObject. */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { ObjectMeta } from '../../../../storage/types.js';
import { contentMd5Of } from '../../../objects/metadata.js';
import { readContext, sendObject, sendObjectHead, type ReadContext } from '../../../objects/send.js';
import { header, type ObjectCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { incomingPayload } from '../payload.js';
import { encryptionHeaders, readKeyOf, requestedEncryption } from '../sse.js';
import { announcedChecksums, askedAlgorithm, assertOwnerOnlyAcl, checksumHeaders, integrityFor, objectHeadersOf, tagsFromHeader, writeConditions } from './common.js';

/** The header overrides a GET may ask for in its query (S3 serves them to signed requests; here to any allowed one). */
const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

function overridesOf(call: ObjectCall): Record<string, string> | undefined {
  let found: Record<string, string> | undefined;
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const value = call.query.get(param);
    if (value === null) continue;
    if (!/^[\t\x20-\x7e]*$/.test(value)) throw new ServiceError('InvalidArgument', `${param} must be printable US-ASCII.`);
    (found ??= {})[name] = value;
  }
  return found;
}

function partNumberOf(call: ObjectCall): number | undefined {
  const value = call.query.get('partNumber');
  if (value === null) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 10_000) {
    throw new ServiceError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.');
  }
  if (call.request.headers.range !== undefined) throw new ServiceError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter.');
  return Number(value);
}

/** What a GET or HEAD answers besides the stored headers. */
function s3ReadHeaders(call: ObjectCall): (meta: ObjectMeta, whole: boolean) => Record<string, string> {
  const withChecksums = header(call, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  return (meta, whole) => {
    // a checksum is of the whole object: a range or a part is sent without it
    const headers: Record<string, string> = { ...(withChecksums && whole ? checksumHeaders(meta.checksums) : {}), ...encryptionHeaders(meta.encryption) };
    if (meta.partsCount !== undefined) headers['x-amz-mp-parts-count'] = String(meta.partsCount);
    return headers;
  };
}

function s3ReadContext(call: ObjectCall): ReadContext {
  return {
    ...readContext(call.key, undefined, call.request.headers),
    partNumber: partNumberOf(call),
    extraHeaders: s3ReadHeaders(call),
    overrides: overridesOf(call),
  };
}

export const OBJECT_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'PutObject',
    method: 'PUT',
    target: 'object',
    async handle(call) {
      const { request, reply, store, bucket, key } = call;
      assertAllowed(request, 'write', bucket, key);
      assertOwnerOnlyAcl(call);
      const encryption = requestedEncryption(call);
      const conditions = await writeConditions(call); // before the body: a failed condition answers without it
      const payload = incomingPayload(request, call.options.maxObjectSize);
      const integrity = integrityFor(store, payload.body, announcedChecksums(call), payload.trailerChecksum ?? askedAlgorithm(call));
      const meta = await store.putObject({
        bucket,
        key,
        ...objectHeadersOf(call),
        tags: tagsFromHeader(header(call, 'x-amz-tagging')),
        contentLength: payload.contentLength,
        contentMd5: contentMd5Of(header(call, 'content-md5')),
        ...integrity,
        ...conditions,
        encryption,
        signal: call.signal,
      });
      return reply.headers({ etag: meta.etag, ...checksumHeaders(meta.checksums), ...encryptionHeaders(meta.encryption) }).send();
    },
  },
  {
    name: 'GetObject',
    method: 'GET',
    target: 'object',
    async handle(call) {
      assertAllowed(call.request, 'read', call.bucket, call.key);
      const where = { bucket: call.bucket, key: call.key, customerKey: readKeyOf(call), signal: call.signal };
      return sendObject(call.store, where, call.reply, s3ReadContext(call));
    },
  },
  {
    name: 'HeadObject',
    method: 'HEAD',
    target: 'object',
    async handle(call) {
      assertAllowed(call.request, 'read', call.bucket, call.key);
      const where = { bucket: call.bucket, key: call.key, customerKey: readKeyOf(call), signal: call.signal };
      return sendObjectHead(call.store, where, call.reply, s3ReadContext(call));
    },
  },
  {
    name: 'DeleteObject',
    method: 'DELETE',
    target: 'object',
    async handle(call) {
      assertAllowed(call.request, 'delete', call.bucket, call.key);
      // S3 answers 204 whether or not the key existed
      await call.store.deleteObject({ bucket: call.bucket, key: call.key, signal: call.signal });
      return call.reply.code(204).send();
    },
  },
];
