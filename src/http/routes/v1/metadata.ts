/** User metadata (`x-amz-meta-*` headers) in on upload and out on download, with S3's limits. */
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../../../errors/codes.js';

const META_PREFIX = 'x-amz-meta-';
/** S3's limit on user metadata, names and values together: larger sets would fail on an s3 store anyway. */
export const MAX_METADATA_BYTES = 2048;

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** What Node lets through as a header value (and so what can be sent back). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The request's `x-amz-meta-<name>` headers as { name: value } (names lower-case, as Node gives them). */
export function userMetadata(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [header, value] of Object.entries(headers)) {
    if (!header.startsWith(META_PREFIX) || value === undefined) continue;
    const name = header.slice(META_PREFIX.length);
    if (name === '') throw new ServiceError('InvalidArgument', 'A user metadata header needs a name after x-amz-meta-.');
    const text = Array.isArray(value) ? value.join(', ') : value;
    metadata[name] = text;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(text);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new ServiceError('InvalidArgument', `User metadata is ${bytes} bytes; the limit is ${MAX_METADATA_BYTES}.`);
  }
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

/**
 * Stored metadata as response headers. Entries that cannot be a header (possible when another face
 * stored them) are left out rather than failing the whole download.
 */
export function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (TOKEN.test(name) && HEADER_VALUE.test(value)) headers[`${META_PREFIX}${name}`] = value;
  }
  return headers;
}

const MD5_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** Content-MD5 must be the base64 of 16 bytes; the store then checks it against the body. */
export function contentMd5Of(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (!MD5_BASE64.test(value)) {
    throw new ServiceError('InvalidArgument', 'Content-MD5 must be the base64 encoding of a 16-byte MD5 digest.');
  }
  return value;
}
