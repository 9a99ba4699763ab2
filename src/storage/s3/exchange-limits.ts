/**
 * Time limits on each HTTP exchange with the S3 backend, such that only the backend's own silence fails a
 * request: never a long transfer that keeps moving, never a caller that is slow to send or to read.
 *
 * - connect: a new socket is connected (TCP, and TLS for https) within connectTimeoutMs of being opened;
 *   waiting for a free socket of the pool is load, not a dead backend, and does not count;
 * - first byte: once the request is wholly sent, the head of the answer comes within firstByteTimeoutMs
 *   (plus one idle period after a body of more than a slice: when Node reports it sent, the kernels' buffers
 *   at both ends may still hold tens of MiB of it that the backend has not read; their draining is invisible);
 * - idle: while the request body goes out, the backend takes some of it at least every idleTimeoutMs; while
 *   the answer's body comes in, bytes arrive as often, counted only while we are ready for them (a caller
 *   that reads slowly keeps the answer waiting in our buffers, which is not the backend's fault).
 * Nothing bounds a whole exchange.
 *
 * NodeHttpHandler's own limits cannot say this (read in @smithy/node-http-handler 4.14): its requestTimeout
 * runs from the start of the request until the head, so it counts the upload of the body; its socketTimeout
 * is raw socket inactivity, which also fires when our own caller is the slow side, and in the middle of one
 * large write still draining to the kernel (Node restarts it only when a write completes); its
 * connectionTimeout counts the wait for a free socket. So they are all off, and this wrapper keeps the watch.
 * It sends every body as a stream of slices, which shows the upload's progress slice by slice, and learns
 * the ClientRequest when the handler pipes that stream into it (bodiless requests get an empty stream).
 * A limit that trips destroys the request or the answer with a TimeoutError (code ETIMEDOUT): the SDK
 * retries it as it does network timeouts, and errors.ts maps it to ServiceUnavailable.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HandlerOptions = Parameters<NodeHttpHandler['handle']>[1];
type HandlerOutput = Awaited<ReturnType<NodeHttpHandler['handle']>>;
type Chunks = Iterator<Buffer> | AsyncIterator<Buffer>;

export interface ExchangeLimits {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

/** Upload progress shows once per slice: 64 KiB per 10 s idle limit is 6.5 KB/s, slower than any link. */
const SLICE_BYTES = 64 * 1024;
/** A body this small leaves the kernel's buffers at once: the first-byte wait needs no allowance for it. */
const SMALL_BODY_BYTES = SLICE_BYTES;

const now = () => performance.now();

function timeoutError(message: string): Error {
  return Object.assign(new Error(`S3 backend: ${message}`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

function* slices(bytes: Uint8Array): Generator<Buffer, void, undefined> {
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(SLICE_BYTES, bytes.length - at));
  }
}

/** The body's chunks, or undefined for a kind of body the SDK never sends in Node (sent unwatched). */
function chunksOf(body: unknown): Chunks | undefined {
  if (body === undefined || body === null) return slices(new Uint8Array(0));
  if (typeof body === 'string') return slices(Buffer.from(body));
  if (body instanceof Uint8Array) return slices(body);
  if (body instanceof Readable) return body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return undefined;
}

/** The request body as a stream that knows when it was last taken, and tells whom it is piped into. */
class WatchedBody extends Readable {
  lastTaken = now();
  /** Bytes taken so far. */
  taken = 0;
  /** Waiting on the caller's own stream, which is not the backend's fault. */
  waitingForSource = false;

  constructor(
    private readonly chunks: Chunks,
    private readonly onPipe: (destination: NodeJS.WritableStream) => void,
  ) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    this.onPipe(destination);
    return super.pipe(destination, options);
  }

  override _read(): void {
    this.lastTaken = now();
    this.waitingForSource = true;
    Promise.resolve(this.chunks.next()).then(
      ({ done, value }) => {
        this.waitingForSource = false;
        if (!done) this.taken += value.length;
        this.push(done ? null : value);
      },
      (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    void this.chunks.return?.();
    callback(err);
  }
}

const PHASES = ['queued', 'connecting', 'sending', 'waiting', 'receiving', 'ended'] as const;
type Phase = (typeof PHASES)[number];

/** One exchange's phases and the limit that applies in each, checked by a ticker. */
class ExchangeWatch {
  #phase: Phase = 'queued';
  #since = now();
  #ticker: NodeJS.Timeout | undefined;
  #request: ClientRequest | undefined;
  #answer: IncomingMessage | undefined;
  #bytesRead: number | undefined;
  #lastArrival = 0;

  constructor(
    private readonly limits: ExchangeLimits,
    private readonly body: WatchedBody,
  ) {}

  start(request: ClientRequest): void {
    this.#request = request;
    request.once('socket', (socket: Socket) => {
      if (!socket.connecting) return this.#enter('sending');
      this.#enter('connecting');
      socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => this.#enter('sending'));
    });
    request.once('finish', () => this.#enter('waiting'));
    request.once('response', (answer: IncomingMessage) => this.#receive(answer));
    request.once('close', () => {
      if (this.#phase !== 'receiving') this.end();
    });
    this.body.once('error', (err) => request.destroy(err));
    const { connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs } = this.limits;
    const tickMs = Math.min(500, Math.max(20, Math.min(connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs) / 8));
    this.#ticker = setInterval(() => this.#check(), tickMs);
    this.#ticker.unref();
  }

  end(): void {
    this.#phase = 'ended';
    clearInterval(this.#ticker);
  }

  #enter(phase: Phase): void {
    if (PHASES.indexOf(phase) <= PHASES.indexOf(this.#phase)) return;
    this.#phase = phase;
    this.#since = now();
    // the backend could take nothing before the connection was up
    if (phase === 'sending') this.body.lastTaken = this.#since;
  }

  #receive(answer: IncomingMessage): void {
    this.#enter('receiving');
    this.#answer = answer;
    this.#bytesRead = answer.socket?.bytesRead;
    this.#lastArrival = now();
    answer.once('end', () => this.end());
    answer.once('close', () => this.end());
  }

  #check(): void {
    const at = now();
    const { connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs } = this.limits;
    switch (this.#phase) {
      case 'connecting':
        if (at - this.#since > connectTimeoutMs) this.#fail(this.#request, `no connection within ${connectTimeoutMs} ms`);
        break;
      case 'sending':
        if (!this.body.waitingForSource && at - this.body.lastTaken > idleTimeoutMs) {
          this.#fail(this.#request, `took none of the request body for ${idleTimeoutMs} ms`);
        }
        break;
      case 'waiting': {
        const limitMs = firstByteTimeoutMs + (this.body.taken > SMALL_BODY_BYTES ? idleTimeoutMs : 0);
        if (at - this.#since > limitMs) this.#fail(this.#request, `no answer within ${limitMs} ms of the request being sent`);
        break;
      }
      case 'receiving':
        this.#checkArrivals(at);
        break;
    }
  }

  #checkArrivals(at: number): void {
    const answer = this.#answer;
    if (!answer?.socket) return this.end();
    const read = answer.socket.bytesRead;
    // bytes waiting in our buffer: our reader is the slow side, the backend is not
    if (read !== this.#bytesRead || answer.readableLength > 0) {
      this.#bytesRead = read;
      this.#lastArrival = at;
    } else if (at - this.#lastArrival > this.limits.idleTimeoutMs) {
      this.#fail(answer, `sent no bytes of the answer for ${this.limits.idleTimeoutMs} ms`);
    }
  }

  #fail(target: ClientRequest | IncomingMessage | undefined, message: string): void {
    this.end();
    target?.destroy(timeoutError(message));
  }
}

/** NodeHttpHandler with its own time limits off and the ones above kept instead. */
export class LimitedHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  readonly #inner: NodeHttpHandler;

  constructor(
    options: NodeHttpHandlerOptions,
    private readonly limits: ExchangeLimits,
  ) {
    this.#inner = new NodeHttpHandler({ ...options, connectionTimeout: 0, requestTimeout: 0, socketTimeout: 0 });
  }

  async handle(request: HttpRequest, options?: HandlerOptions): Promise<HandlerOutput> {
    const chunks = chunksOf(request.body);
    if (!chunks) return this.#inner.handle(request, options);
    let watch: ExchangeWatch | undefined;
    const body: WatchedBody = new WatchedBody(chunks, (destination) => {
      watch = new ExchangeWatch(this.limits, body);
      watch.start(destination as ClientRequest);
    });
    try {
      // a copy, so that a retry sends the original body again; the handler reads only the fields
      return await this.#inner.handle({ ...request, body } as HttpRequest, options);
    } catch (err) {
      watch?.end();
      body.destroy();
      throw err;
    }
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.#inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.#inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.#inner.destroy();
  }
}
