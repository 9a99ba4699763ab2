/**
 * What a SigV4 request claims about itself, read from its Authorization header or its presigned query
 * (X-Amz-*): the key, the scope, the signed headers, the time and the signature. Only reading here;
 * verify.ts decides whether the claim holds.
 */
import { ServiceError } from '../../errors/codes.js';
import { queryPairs } from './canonical.js';
import type { Scope } from './signing-key.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** The longest life of a presigned URL: seven days. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

export interface SignatureClaim {
  accessKeyId: string;
  scope: Scope;
  /** Lower-case, in the order signed. */
  signedHeaders: string[];
  signature: string;
  /** The signing time as signed: yyyymmddThhmmssZ. */
  amzDate: string;
  time: Date;
  /** Seconds a presigned URL lives from `time`; absent for a signed header. */
  expiresSeconds?: number | undefined;
  /** A presigned URL's X-Amz-Content-Sha256, when its query has one. */
  queryPayloadHash?: string | undefined;
}

type Header = string | string[] | undefined;
export type Headers = Record<string, Header>;
export const firstHeader = (value: Header): string | undefined => (Array.isArray(value) ? value[0] : value);

export function sigV2(): ServiceError {
  return new ServiceError('NotImplemented', 'Signature Version 2 is not supported: sign requests with Signature Version 4 (AWS4-HMAC-SHA256).');
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const time = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The HTTP Date header's time in SigV4's form, for clients that sign it instead of x-amz-date. */
function fromHttpDate(text: string): string | undefined {
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) return undefined;
  return time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseCredential(credential: string, fail: (why: string) => ServiceError): { accessKeyId: string; scope: Scope } {
  const parts = credential.split('/');
  // the key id may itself hold slashes only in theory; ids here never do
  if (parts.length !== 5 || parts[4] !== 'aws4_request') throw fail('the Credential must be <key id>/<date>/<region>/s3/aws4_request');
  const [accessKeyId = '', date = '', region = '', service = ''] = parts;
  if (accessKeyId === '' || !/^\d{8}$/.test(date) || region === '') throw fail('the Credential must be <key id>/<date>/<region>/s3/aws4_request');
  if (service !== 's3') throw fail(`the Credential's service must be s3, not "${service}"`);
  return { accessKeyId, scope: { date, region, service } };
}

function checkSignedHeaders(list: string, fail: (why: string) => ServiceError): string[] {
  const names = list.split(';');
  if (names.some((name) => name === '' || name !== name.toLowerCase())) throw fail('SignedHeaders must be lower-case names separated by ";"');
  if (!names.includes('host')) throw fail('SignedHeaders must include host');
  return names;
}

export function checkDates(scope: Scope, amzDate: string | undefined, fail: (why: string) => ServiceError): { amzDate: string; time: Date } {
  const time = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || time === undefined) throw fail('the request needs its signing time in X-Amz-Date (yyyymmddThhmmssZ)');
  if (!amzDate.startsWith(scope.date)) throw fail(`the Credential's date ${scope.date} is not the date of X-Amz-Date ${amzDate}`);
  return { amzDate, time };
}

/** The claim of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
function headerClaim(authorization: string, headers: Headers): SignatureClaim {
  const fail = (why: string) => new ServiceError('AuthorizationHeaderMalformed', `The authorization header is malformed: ${why}.`);
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) throw fail('it needs Credential, SignedHeaders and Signature');
  const { accessKeyId, scope } = parseCredential(credential, fail);
  const amzHeader = firstHeader(headers['x-amz-date']);
  const dateHeader = firstHeader(headers['date']);
  const amzDate = amzHeader ?? (dateHeader === undefined ? undefined : fromHttpDate(dateHeader));
  return {
    accessKeyId,
    scope,
    signedHeaders: checkSignedHeaders(signedHeaders, fail),
    signature: signature.toLowerCase(),
    ...checkDates(scope, amzDate, fail),
  };
}

/** The claim of a presigned URL's X-Amz-* query. */
function queryClaim(query: Map<string, string>): SignatureClaim {
  const fail = (why: string) => new ServiceError('AuthorizationQueryParametersError', `The presigned URL is malformed: ${why}.`);
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw fail(`X-Amz-Algorithm must be ${ALGORITHM}`);
  const credential = query.get('X-Amz-Credential');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  const expires = query.get('X-Amz-Expires');
  if (!credential || !signedHeaders || !signature || expires === undefined) {
    throw fail('it needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature');
  }
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_PRESIGNED_SECONDS)) {
    throw fail(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_SECONDS} (seven days)`);
  }
  const { accessKeyId, scope } = parseCredential(credential, fail);
  return {
    accessKeyId,
    scope,
    signedHeaders: checkSignedHeaders(signedHeaders, fail),
    signature: signature.toLowerCase(),
    ...checkDates(scope, query.get('X-Amz-Date'), fail),
    expiresSeconds,
    queryPayloadHash: query.get('X-Amz-Content-Sha256'),
  };
}

/**
 * The claim a request makes, or undefined when it carries no signature at all (an anonymous request).
 * Throws NotImplemented for Signature Version 2, and a malformed-authorization error for a claim that cannot
 * be read.
 */
export function readClaim(headers: Headers, rawQuery: string): SignatureClaim | undefined {
  const authorization = firstHeader(headers['authorization']);
  if (authorization !== undefined) {
    if (authorization.startsWith(`${ALGORITHM} `)) return headerClaim(authorization, headers);
    if (authorization.startsWith('AWS ')) throw sigV2();
    throw new ServiceError('AuthorizationHeaderMalformed', `The authorization header is malformed: it must start with "${ALGORITHM} ".`);
  }
  if (!rawQuery.includes('X-Amz-') && !rawQuery.includes('Signature=')) return undefined;
  const query = new Map(queryPairs(rawQuery).map((pair) => [pair.name, pair.value]));
  if (query.has('X-Amz-Signature') || query.has('X-Amz-Algorithm')) return queryClaim(query);
  if (query.has('Signature') && query.has('AWSAccessKeyId')) throw sigV2();
  return undefined;
}
