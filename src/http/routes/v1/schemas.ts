/**
 * JSON schemas of the REST API v1: Fastify validates requests and serialises answers with them, and
 * @fastify/swagger builds the OpenAPI document from them (docs/api-v1.md is the contract they follow).
 */
import { type Static, Type } from 'typebox';
import { ERROR_STATUS } from '../../../errors/codes.js';
import { MAX_LIST_KEYS } from '../../../storage/types.js';

const IsoDate = Type.String({ format: 'date-time', description: 'ISO-8601' });
const Etag = Type.String({ description: 'Quoted, as in the ETag header', examples: ['"9b2cf535f27731c974343645a3985328"'] });

export const BucketName = Type.String({ description: 'Bucket name (S3 rules: 3-63 of a-z 0-9 . -)', examples: ['photos'] });

export const BucketParams = Type.Object({ bucket: BucketName });

/** `*` is Fastify's name for the rest of the path; the OpenAPI document calls it `key` (see openapi.ts). */
export const ObjectParams = Type.Object({
  bucket: BucketName,
  '*': Type.String({ description: 'Object key: the rest of the path, may contain "/"', examples: ['photos/cat.png'] }),
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable S3-style code', examples: ['NoSuchKey'] }),
      message: Type.String(),
      requestId: Type.String({ description: 'Also in the X-Request-Id header' }),
    }),
  },
  { $id: 'Error', description: 'An error' },
);

/** Shared (added once with addSchema), so the document has one Error component instead of a copy per answer. */
const errorRef = (description: string) => Type.Unsafe<Static<typeof ErrorBody>>(Type.Ref('Error', { description }));

export const BucketInfo = Type.Object({ name: Type.String(), creationDate: IsoDate }, { description: 'A bucket' });

export const ObjectInfo = Type.Object(
  { bucket: Type.String(), key: Type.String(), size: Type.Integer({ minimum: 0 }), etag: Etag, lastModified: IsoDate },
  { description: 'The stored object' },
);

export const Listing = Type.Object(
  {
    objects: Type.Array(
      Type.Object({
        key: Type.String(),
        size: Type.Integer({ minimum: 0 }),
        etag: Etag,
        lastModified: IsoDate,
        storageClass: Type.String(),
      }),
    ),
    folders: Type.Array(Type.String(), { description: 'Common prefixes up to the delimiter' }),
    isTruncated: Type.Boolean(),
    nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for the next page; only when truncated' })),
  },
  { description: 'One page of keys' },
);

export const ListingQuery = Type.Object({
  prefix: Type.Optional(Type.String({ description: 'Only keys that start with this' })),
  delimiter: Type.Optional(Type.String({ description: 'Group keys up to this into folders, e.g. "/"' })),
  startAfter: Type.Optional(Type.String({ description: 'Only keys after this one (ignored with a cursor)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_KEYS, default: MAX_LIST_KEYS })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: '`nextCursor` of the previous page' })),
});

/** An answer without a body (204, 304, HEAD): `null` in the document, nothing to send in the handler. */
export const NoBody = Type.Unsafe<undefined>({ type: 'null', description: 'No body' });

/** Any bytes, streamed: the body of uploads and downloads. */
export const Bytes = { description: 'The object bytes', contentMediaType: 'application/octet-stream' };

/** The codes the one status table maps to a status, as the answer's description. */
function codesOf(status: number): string {
  const codes = Object.entries(ERROR_STATUS).filter(([, s]) => s === status).map(([code]) => code);
  return `Error: ${codes.join(', ')}`;
}

/**
 * The error answers a route may give: always 400, 401, 403 (access keys), 408/414/429/431 (the hardening
 * limits, which answer before any route runs), 500 and 503; and the listed ones.
 */
export function errorResponses(...statuses: number[]): Record<number, ReturnType<typeof errorRef>> {
  const out: Record<number, ReturnType<typeof errorRef>> = {};
  for (const status of [400, 401, 403, 408, 414, 429, 431, ...statuses, 500, 503]) out[status] = errorRef(codesOf(status));
  return out;
}

/** The headers of a download, for the document (Fastify does not check response headers). */
export const OBJECT_HEADERS_DOC = {
  'content-type': { type: 'string', description: 'As uploaded (default application/octet-stream)' },
  'content-length': { type: 'integer' },
  'content-range': { type: 'string', description: '206 only: bytes first-last/size' },
  etag: { type: 'string' },
  'last-modified': { type: 'string' },
  'accept-ranges': { type: 'string', const: 'bytes' },
  'cache-control': { type: 'string', description: 'As uploaded' },
  'content-disposition': { type: 'string', description: 'As uploaded, or an attachment with ?download' },
  'content-encoding': { type: 'string', description: 'As uploaded' },
  'x-amz-meta-*': { type: 'string', description: 'User metadata, one header per entry' },
  'x-content-type-options': { type: 'string', const: 'nosniff' },
  'content-security-policy': { type: 'string', description: "default-src 'none'; sandbox" },
} as const;
