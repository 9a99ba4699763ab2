/**
 * The headers an upload keeps (Content-Type..., user metadata as `x-amz-meta-*`), checked against S3's
 * rules so that both stores accept the same uploads, and user metadata out again on download.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../../errors/codes.js';

const META_PREFIX = 'x-amz-meta-';
/** S3's limit on user metadata, names and values together: larger sets would fail on an s3 store anyway. */
export const MAX_METADATA_BYTES = 2048;

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** S3 takes only US-ASCII in metadata and the kept headers (elsewhere its signatures fail). */
const ASCII_VALUE = /^[\t\x20-\x7e]*$/;
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
    metadata[name] = asciiValue(header, text);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(text);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new ServiceError('InvalidArgument', `User metadata is ${bytes} bytes; the limit is ${MAX_METADATA_BYTES}.`);
  }
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

function asciiValue(header: string, value: string): string {
  if (!ASCII_VALUE.test(value)) {
    throw new ServiceError('InvalidArgument', `${header} must be US-ASCII; encode other text (e.g. percent-encoding).`);
  }
  return value;
}

/** A header to keep: its value (US-ASCII), or undefined when absent or empty. */
function kept(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? asciiValue(name, value) : undefined;
}

/** The standard headers an upload keeps and a download serves back. */
export function keptHeaders(headers: IncomingHttpHeaders) {
  return {
    contentType: kept(headers, 'content-type'),
    cacheControl: kept(headers, 'cache-control'),
    contentDisposition: kept(headers, 'content-disposition'),
    contentEncoding: kept(headers, 'content-encoding'),
  };
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
