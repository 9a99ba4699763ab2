/**
 * Checks a SigV4 claim against the request that arrived and the key's secret: the time (15 minutes of skew
 * for a signed header; the validity window of a presigned URL), then the signature, compared in constant time.
 * What the payload hash says of the body is returned for the face to enforce while the body streams.
 */
import { ServiceError } from '../../errors/codes.js';
import { canonicalRequest, stringToSign, type ArrivedRequest, type Spelling } from './canonical.js';
import { firstHeader, type Headers, type SignatureClaim } from './claim.js';
import { sameSignature, scopeString, signatureOf, signingKey } from './signing-key.js';

export const MAX_SKEW_MS = 15 * 60 * 1000;

/** What the signer promised about the body. */
export type PayloadMode =
  /** Nothing: the body is not covered by the signature. */
  | { kind: 'unsigned' }
  /** The body's SHA-256, to check once it has all arrived. */
  | { kind: 'sha256'; hex: string }
  /** aws-chunked: chunks signed one by one (or not), maybe followed by trailing headers (a checksum). */
  | { kind: 'chunked'; signed: boolean; trailer: boolean };

/** What chunk signatures chain from: the request's own signature, its key and scope. */
export interface SigningChain {
  key: Buffer;
  scope: string;
  amzDate: string;
  seedSignature: string;
}

export interface VerifiedRequest {
  accessKeyId: string;
  payload: PayloadMode;
  chain: SigningChain;
}

const PAYLOAD_MODES: Record<string, PayloadMode> = {
  'UNSIGNED-PAYLOAD': { kind: 'unsigned' },
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { kind: 'chunked', signed: false, trailer: true },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { kind: 'chunked', signed: true, trailer: false },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { kind: 'chunked', signed: true, trailer: true },
};

function payloadMode(hash: string): PayloadMode {
  const mode = PAYLOAD_MODES[hash];
  if (mode) return mode;
  if (/^[0-9a-f]{64}$/.test(hash)) return { kind: 'sha256', hex: hash };
  if (hash.startsWith('STREAMING-')) throw new ServiceError('NotImplemented', `The payload signing mode ${hash} is not supported.`);
  throw new ServiceError('InvalidArgument', 'x-amz-content-sha256 must be a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING- mode.');
}

/** The payload hash the signer used: the header's (header signatures), the query's or UNSIGNED-PAYLOAD (presigned). */
function signedPayloadHash(claim: SignatureClaim, headers: Headers): string {
  const header = firstHeader(headers['x-amz-content-sha256']);
  if (claim.expiresSeconds !== undefined) return claim.queryPayloadHash ?? header ?? 'UNSIGNED-PAYLOAD';
  if (header === undefined) {
    throw new ServiceError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  }
  return header;
}

function checkTime(claim: SignatureClaim, now: Date): void {
  const signedAt = claim.time.getTime();
  if (claim.expiresSeconds === undefined) {
    if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) {
      throw new ServiceError(
        'RequestTimeTooSkewed',
        `The difference between the request time (${claim.time.toISOString()}) and the server's time (${now.toISOString()}) is more than 15 minutes.`,
      );
    }
    return;
  }
  if (signedAt - now.getTime() > MAX_SKEW_MS) throw new ServiceError('AccessDenied', 'Request is not valid yet: its X-Amz-Date is in the future.');
  if (now.getTime() > signedAt + claim.expiresSeconds * 1000) throw new ServiceError('AccessDenied', 'Request has expired.');
}

const SPELLINGS: readonly Spelling[] = ['normalized', 'asSent'];

/** Throws SignatureDoesNotMatch, RequestTimeTooSkewed or AccessDenied (presigned URL out of its window). */
export function verifySignature(
  request: ArrivedRequest & { headers: Headers },
  claim: SignatureClaim,
  secret: string,
  now: Date,
): VerifiedRequest {
  const payloadHash = signedPayloadHash(claim, request.headers);
  const payload = payloadMode(payloadHash);
  const key = signingKey(secret, claim.scope);
  const scope = scopeString(claim.scope);
  const matches = SPELLINGS.some((spelling) => {
    const canonical = canonicalRequest(request, claim.signedHeaders, payloadHash, spelling);
    return sameSignature(signatureOf(key, stringToSign(claim.amzDate, scope, canonical)), claim.signature);
  });
  if (!matches) {
    throw new ServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  // the time is checked after the signature, so a stranger learns nothing from the clock
  checkTime(claim, now);
  return { accessKeyId: claim.accessKeyId, payload, chain: { key, scope, amzDate: claim.amzDate, seedSignature: claim.signature } };
}
