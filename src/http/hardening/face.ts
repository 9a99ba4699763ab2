/**
 * Errors in the caller's face's shape when the route's own error handler is not the one to answer: before
 * routing (any URL may arrive), and below Fastify, where the HTTP parser gave up on the request.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusOf, type ErrorCode, type ServiceError } from '../../errors/codes.js';
import { sendJsonError, sendTextError, type JsonErrorBody } from '../errors.js';
import { isV1 } from '../routes/v1/index.js';

/** Answers `err` as JSON under /v1, as text elsewhere (the tutorial face's way). */
export function sendFaceError(err: ServiceError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return isV1(request.url) ? sendJsonError(err, request, reply) : sendTextError(err, request, reply);
}

/**
 * A whole HTTP/1.1 error answer as bytes, for a socket whose request never reached Fastify; the
 * connection closes after it. `target` is the request target when it could be read, to pick the face.
 */
export function rawErrorResponse(code: ErrorCode, message: string, target: string | undefined): string {
  const status = statusOf(code);
  const requestId = randomUUID();
  const json = target !== undefined && isV1(target);
  const body = json ? JSON.stringify({ error: { code, message, requestId } } satisfies JsonErrorBody) : message;
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `content-type: ${json ? 'application/json' : 'text/plain'}; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}
