/** Request bodies as streams, with the size limit enforced while they flow. */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors/codes.js';

/**
 * Hands every body to the route unparsed, as the request stream itself: uploads are never buffered.
 * Encapsulated: call it inside the plugin whose routes take raw bodies.
 */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError('EntityTooLarge', `The body is larger than the limit of ${limit} bytes.`);
}

/** After refusing a body, read and discard at most this much more of it, for at most this long. */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 5_000;

/**
 * Called when the answer is sent before the request body was read to its end (413, 404 on upload...).
 * Closing at once would make the kernel reset the connection while the client is still sending, and
 * many clients then lose the answer. So, like nginx's lingering close, discard what still arrives for a
 * bounded time and size, keeping the connection; past the bound (or when the declared length says the
 * rest is too large to wait for), close it.
 */
export function lingerOrClose(request: FastifyRequest, setHeader: (name: string, value: string) => void): void {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  const declared = declaredLength(request);
  if (declared !== undefined && declared - raw.socket.bytesRead > LINGER_BYTES) {
    setHeader('connection', 'close');
    return;
  }
  let discarded = 0;
  const stop = () => raw.socket.destroy();
  const timer = setTimeout(stop, LINGER_MS);
  timer.unref();
  raw.unpipe();
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) stop();
  });
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
}

/** Fails with EntityTooLarge as soon as more than `limit` bytes have passed. */
class SizeLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    // one socket read's worth: the kernel's socket buffer already absorbs bursts, and chunks parked here
    // survived young GCs, were promoted, and made a 1 GiB upload's peak RSS ~10 MB higher (at 1 MiB)
    super({ highWaterMark: 64 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(tooLarge(this.limit));
    else callback(null, chunk);
  }
}

/** Declared length of the body, when the client sent a valid Content-Length. */
export function declaredLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * The request body as a stream limited to `limit` bytes. A declared Content-Length over the limit is
 * refused before a byte is read; a chunked body is cut off when it crosses the limit.
 */
export function limitedBody(request: FastifyRequest, limit: number): Readable {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) throw tooLarge(limit);
  const source = (request.body as Readable | undefined) ?? request.raw;
  const limited = new SizeLimit(limit);
  source.on('error', (err) => limited.destroy(err));
  // the request ending early (client gone) must fail the upload, not end it cleanly
  request.raw.once('aborted', () => limited.destroy(new ServiceError('IncompleteBody', 'The client disconnected.')));
  return source.pipe(limited);
}
