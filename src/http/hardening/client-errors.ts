/**
 * Requests the HTTP parser refuses before Fastify sees them: a head over maxHeaderSize (431, or 414 when
 * the request line alone is too long), a head not complete within headersTimeoutMs (408), malformed
 * HTTP (400). Answered in the face's shape when the request line could be read, then the connection closes.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { LimitSettings } from '../../config/network.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { FaceShapes } from '../face-shapes.js';

interface ParserError extends Error {
  code?: string;
  /** The bytes the parser was given when it failed (a Buffer in Node). */
  rawPacket?: unknown;
}

interface Refusal {
  code: ErrorCode;
  message: string;
  target: string | undefined;
}

const REQUEST_LINE = /^[A-Z]+ (\S+)/;

/** The request target, when the failing bytes start with the request line (best effort: a head can span packets). */
function targetOf(err: ParserError): string | undefined {
  if (!Buffer.isBuffer(err.rawPacket)) return undefined;
  const head = err.rawPacket.toString('latin1', 0, Math.min(err.rawPacket.length, 1024 * 1024));
  return REQUEST_LINE.exec(head)?.[1];
}

function refusalOf(err: ParserError, limits: LimitSettings): Refusal {
  const target = targetOf(err);
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return target !== undefined && target.length > limits.maxUrlLength
      ? { code: 'UriTooLong', message: `The request target is longer than the limit of ${limits.maxUrlLength} bytes.`, target }
      : {
          code: 'RequestHeaderFieldsTooLarge',
          message: `The request line and headers are larger than the limit of ${limits.maxHeaderSize} bytes.`,
          target,
        };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const seconds = limits.headersTimeoutMs / 1000;
    return { code: 'RequestTimeout', message: `The request head did not arrive within ${seconds} s.`, target };
  }
  return { code: 'InvalidRequest', message: 'Malformed HTTP request.', target };
}

/** Fastify's clientErrorHandler option: like its default, but in our error shapes and with our limits in the text. */
export function clientErrorHandler(limits: LimitSettings, logger: Logger, faces: FaceShapes) {
  return (err: ParserError, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const refusal = refusalOf(err, limits);
    logger.info({ code: refusal.code, parserCode: err.code, remoteAddress: socket.remoteAddress }, refusal.message);
    if (socket.writable) socket.write(faces.rawResponse(refusal.code, refusal.message, refusal.target));
    socket.destroy();
  };
}
