/**
 * Which face owns a path, and so in which shape its errors are answered when the route's own error handler
 * is not the one to answer: before routing (rate limits, long URLs, draining, framework errors), and below
 * Fastify, where the HTTP parser gave up on the request. Each face declares its prefix and shape; the app
 * puts the declarations together, so the shared defences never need to know the faces.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusOf, type ErrorCode } from '../errors/codes.js';
import { sendShapedError, type ErrorShape } from './errors.js';

export { JSON_ERRORS, TEXT_ERRORS, type ErrorShape } from './errors.js';

/** A face's claim: the paths under `prefix` (the prefix itself, `prefix/...`, `prefix?...`) answer in `shape`. */
export interface FaceShape {
  prefix: string;
  shape: ErrorShape;
}

export class FaceShapes {
  readonly #faces: readonly FaceShape[];

  /** `fallback`: the shape of paths no face claims. */
  constructor(
    faces: readonly FaceShape[],
    private readonly fallback: ErrorShape,
  ) {
    this.#faces = [...faces].sort((a, b) => b.prefix.length - a.prefix.length); // the longest claim wins
  }

  /** The shape of the request target `target` (path and query). */
  of(target: string): ErrorShape {
    const owner = this.#faces.find(({ prefix }) => target === prefix || target.startsWith(`${prefix}/`) || target.startsWith(`${prefix}?`));
    return owner?.shape ?? this.fallback;
  }

  /** Answers `err` in the shape of the face that owns the request's path. */
  send(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    return sendShapedError(this.of(request.url), err, request, reply);
  }

  /**
   * A whole HTTP/1.1 error answer as bytes, for a socket whose request never reached Fastify; the
   * connection closes after it. `target` is the request target when it could be read.
   */
  rawResponse(code: ErrorCode, message: string, target: string | undefined): string {
    const status = statusOf(code);
    const requestId = randomUUID();
    const shape = target === undefined ? this.fallback : this.of(target);
    const { contentType, text: body } = shape.body(code, message, requestId);
    return (
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `content-type: ${contentType}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n' +
      body
    );
  }
}
