/**
 * The canonical request of Signature Version 4, rebuilt on the server from what arrived. Written by hand: no
 * npm package verifies SigV4 on the server side (the AWS SDK's signer and real clients are the tests' oracles).
 *
 * S3 clients encode a path or query value once, with RFC 3986's unreserved set left bare; the service decodes
 * what it received and encodes it again that way, so two spellings of one URL sign alike. A client that signs
 * its URL exactly as sent is matched too (`asSent`), for the few that leave other characters bare.
 */
import { createHash } from 'node:crypto';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every byte but the unreserved ones (and '/' when asked), upper-case hex. */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === '/')) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes %XX escapes; a malformed one is kept as it is (the signature then decides). */
function uriDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface QueryPair {
  name: string;
  value: string;
}

/** The pairs of a raw query string in their order, decoded ('+' is a plus sign, as SigV4 clients mean it). */
export function queryPairs(rawQuery: string, decode: (text: string) => string = uriDecode): QueryPair[] {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? { name: decode(part), value: '' } : { name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) };
  });
}

const asSent = (text: string) => text;

const byNameThenValue = (a: string[], b: string[]) => compare(a[0] ?? '', b[0] ?? '') || compare(a[1] ?? '', b[1] ?? '');
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What the canonical request is made of, as it arrived. */
export interface ArrivedRequest {
  method: string;
  /** The path as received, still percent-encoded, without the query. */
  rawPath: string;
  /** The query as received, without '?'. */
  rawQuery: string;
  /** Node's rawHeaders: name, value, name, value... */
  rawHeaders: readonly string[];
}

export type Spelling = 'normalized' | 'asSent';

function canonicalPath(rawPath: string, spelling: Spelling): string {
  if (spelling === 'asSent') return rawPath;
  return uriEncode(uriDecode(rawPath), true);
}

/** The canonical query, sorted, without the presigned signature itself. */
function canonicalQuery(rawQuery: string, spelling: Spelling): string {
  const pairs = queryPairs(rawQuery, spelling === 'asSent' ? asSent : uriDecode);
  return pairs
    .filter((pair) => uriDecode(pair.name) !== 'X-Amz-Signature')
    .map((pair) => (spelling === 'asSent' ? [pair.name, pair.value] : [uriEncode(pair.name, false), uriEncode(pair.value, false)]))
    .sort(byNameThenValue)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as its client signed it. Node reads header bytes as latin1; clients sign text as UTF-8:
 * boto3 sends that UTF-8 too (so the bytes are decoded as UTF-8 again), while Node clients such as the
 * AWS SDK send the latin1 byte of each character (which is seldom valid UTF-8, and so left as it is).
 */
function signedText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

/** Each signed header's values, trimmed, inner runs of spaces made one, joined by commas. */
function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const list = values.get(name) ?? [];
    list.push(signedText(rawHeaders[i + 1] ?? '').trim().replace(/\s+/g, ' '));
    values.set(name, list);
  }
  return signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}

export function canonicalRequest(
  request: ArrivedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
  spelling: Spelling,
): string {
  return [
    request.method,
    canonicalPath(request.rawPath, spelling),
    canonicalQuery(request.rawQuery, spelling),
    canonicalHeaders(request.rawHeaders, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The string a request's signature is the HMAC of. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
}
