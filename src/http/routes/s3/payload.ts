/**
 * The body of an S3 request as the store should receive it: what the signature said of it enforced while it
 * streams. A real SHA-256 in x-amz-content-sha256 is checked once the body has all arrived; an aws-chunked
 * body is decoded (its chunk signatures and trailing checksum checked); either failure errors the stream
 * before its end, so the store keeps nothing. Without keys the signature was not checked, but the body is
 * still decoded as its headers say.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ServiceError } from '../../../errors/codes.js';
import { ChunkedDecoder, trailerAlgorithm } from '../../../auth/sigv4/chunked.js';
import { firstHeader } from '../../../auth/sigv4/claim.js';
import type { PayloadMode } from '../../../auth/sigv4/verify.js';
import type { ChecksumAlgorithm } from '../../../storage/types.js';
import { declaredLength, limitedBody } from '../../body.js';
import { heldUntilEnd, verifiedAtEnd, type DigestCheck } from './verify-at-end.js';

export interface IncomingPayload {
  /** The object's bytes, decoded. */
  body: Readable;
  /** How many bytes the body will have, when the request says (Content-Length or x-amz-decoded-content-length). */
  contentLength: number | undefined;
  /** The algorithm of a trailing checksum: the store computes it; the decoder checks it against the trailer. */
  trailerChecksum: ChecksumAlgorithm | undefined;
  /** The decoder of an aws-chunked body, which holds the checked trailing checksum once the body ended. */
  chunked: ChunkedDecoder | undefined;
}

/** The bytes' SHA-256 must be the one the signer announced. */
function sha256Check(expected: string): DigestCheck {
  const hash = createHash('sha256');
  return {
    update: (chunk) => hash.update(chunk),
    verify() {
      if (hash.digest('hex') !== expected) {
        throw new ServiceError('XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
      }
    },
  };
}

const STREAMING: Record<string, PayloadMode> = {
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { kind: 'chunked', signed: false, trailer: true },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { kind: 'chunked', signed: true, trailer: false },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { kind: 'chunked', signed: true, trailer: true },
};

/** What the body is, from the verified signature, or from the headers alone when nothing was verified. */
function modeOf(request: FastifyRequest): PayloadMode {
  if (request.sigv4) return request.sigv4.payload;
  const hash = firstHeader(request.headers['x-amz-content-sha256']);
  if (hash === undefined) return { kind: 'unsigned' };
  const streaming = STREAMING[hash];
  if (streaming) return streaming;
  return /^[0-9a-f]{64}$/.test(hash) ? { kind: 'sha256', hex: hash } : { kind: 'unsigned' };
}

function decodedLengthOf(request: FastifyRequest): number | undefined {
  const header = firstHeader(request.headers['x-amz-decoded-content-length']);
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header)) throw new ServiceError('InvalidArgument', 'x-amz-decoded-content-length must be a whole number of bytes.');
  return Number(header);
}

/** An aws-chunked body's framing: a few dozen bytes per chunk and a trailer; generous, still bounded. */
const framingAllowance = (limit: number) => 64 * 1024 + Math.ceil(limit / 100);

/** The request body, decoded and checked as its signature says, limited to `limit` decoded bytes. */
export function incomingPayload(request: FastifyRequest, limit: number): IncomingPayload {
  const mode = modeOf(request);
  if (mode.kind !== 'chunked') {
    const body = limitedBody(request, limit);
    const checked = mode.kind === 'sha256' ? verifiedAtEnd(body, sha256Check(mode.hex)) : body;
    return { body: checked, contentLength: declaredLength(request), trailerChecksum: undefined, chunked: undefined };
  }
  const decodedLength = decodedLengthOf(request);
  if (decodedLength !== undefined && decodedLength > limit) {
    throw new ServiceError('EntityTooLarge', `The body is larger than the limit of ${limit} bytes.`);
  }
  const trailer = mode.trailer ? firstHeader(request.headers['x-amz-trailer']) : undefined;
  if (mode.trailer && trailer === undefined) throw new ServiceError('InvalidRequest', 'A body with a trailer must name it in x-amz-trailer.');
  const decoder = new ChunkedDecoder({ chain: mode.signed ? request.sigv4?.chain : undefined, trailer, decodedLength });
  const raw = limitedBody(request, limit + framingAllowance(limit));
  raw.on('error', (err) => decoder.destroy(err));
  return {
    // the decoder checks the trailer as the body ends: its last bytes wait for that
    body: heldUntilEnd(raw.pipe(decoder)),
    contentLength: decodedLength,
    trailerChecksum: trailer === undefined ? undefined : trailerAlgorithm(trailer),
    chunked: decoder,
  };
}

/** Content-Encoding as the object keeps it: the transfer's aws-chunked is not the object's encoding. */
export function storedContentEncoding(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const kept = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(', ') : undefined;
}
