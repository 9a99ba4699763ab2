/**
 * The SigV4 scheme for the S3-compatible face: a request signed in its Authorization header or by a presigned
 * query is verified against its key's secret; what the signature says of the body (a SHA-256 to check, signed
 * chunks to decode) is left on the request for the face to enforce while the body streams.
 */
import type { FastifyRequest } from 'fastify';
import { isServiceError, ServiceError } from '../../errors/codes.js';
import type { Keyring, Principal } from '../keys.js';
import type { AuthScheme } from '../scheme.js';
import type { ArrivedRequest } from './canonical.js';
import { ALGORITHM, readClaim } from './claim.js';
import { verifySignature, type VerifiedRequest } from './verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the SigV4 scheme on a request it verified. */
    sigv4?: VerifiedRequest | undefined;
  }
}

/** The request as it arrived, for the canonical request: raw path, raw query, raw headers. */
export function arrivedRequest(request: FastifyRequest): ArrivedRequest & { headers: FastifyRequest['headers'] } {
  const q = request.url.indexOf('?');
  return {
    method: request.method,
    rawPath: q < 0 ? request.url : request.url.slice(0, q),
    rawQuery: q < 0 ? '' : request.url.slice(q + 1),
    rawHeaders: request.raw.rawHeaders,
    headers: request.headers,
  };
}

/** The key's principal and secret, or InvalidAccessKeyId for an unknown key or one that keeps only a hash. */
export function signingSecretFor(keys: Keyring, accessKeyId: string): { principal: Principal; secret: string } {
  const found = keys.signingSecret(accessKeyId);
  if (!found) throw new ServiceError('InvalidAccessKeyId', 'The access key id you provided does not exist in our records.');
  if ('hashOnly' in found) {
    const message = `The access key ${accessKeyId} keeps only a hash of its secret, which cannot check an S3 signature: re-issue it with "s3gate keys create --s3".`;
    throw new ServiceError('InvalidAccessKeyId', message);
  }
  return found;
}

function signedQuery(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && /(?:^|&)(X-Amz-Signature|X-Amz-Algorithm|Signature)=/.test(url.slice(q + 1));
}

export function sigv4Scheme(now: () => Date = () => new Date()): AuthScheme {
  return {
    name: 'sigv4',
    presentIn(request) {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) return authorization.startsWith(`${ALGORITHM} `) || authorization.startsWith('AWS ');
      return signedQuery(request.url);
    },
    authenticate(request, keys) {
      try {
        const arrived = arrivedRequest(request);
        const claim = readClaim(arrived.headers, arrived.rawQuery);
        if (!claim) return { refused: new ServiceError('AccessDenied', 'Access Denied') };
        const found = signingSecretFor(keys, claim.accessKeyId);
        request.sigv4 = verifySignature(arrived, claim, found.secret, now());
        return { principal: found.principal };
      } catch (err) {
        if (isServiceError(err)) return { refused: err };
        throw err;
      }
    },
    challenge: () => undefined, // S3 clients need no challenge: the error code says what is wrong
    missing: () => new ServiceError('AccessDenied', 'Access Denied: this request needs a Signature Version 4 signature.'),
  };
}
