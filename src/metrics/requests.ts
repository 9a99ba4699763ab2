/**
 * One completion line and one metrics sample per request, when its connection is done with it: on
 * 'close' of the response, which fires for finished answers and for clients that left mid-way alike
 * (Fastify's onResponse does not fire for the latter, and the in-flight gauge would drift).
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics, RequestSample } from './registry.js';

/** Route label of requests that matched no route: one value, so that scanners cannot grow the label set. */
const UNMATCHED_ROUTE = 'unmatched';

/** nginx's status for a client that closed the connection before the answer began. */
const CLIENT_CLOSED = 499;

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request did, where one route serves many operations (the S3 face: "s3 PutObject"). */
    routeLabel?: string | undefined;
  }
}

/** Bytes each keep-alive connection had read and written when its previous request was counted. */
const counted = new WeakMap<Socket, { read: number; written: number }>();
const watched = new WeakSet<FastifyRequest>();

/**
 * The bytes a connection carried for one request, headers included (like nginx's $request_length and
 * $bytes_sent): the socket's counters since the previous request on it. Free, and exact unless a client
 * pipelines requests.
 */
function transferred(socket: Socket): { bytesIn: number; bytesOut: number } {
  const before = counted.get(socket) ?? { read: 0, written: 0 };
  const now = { read: socket.bytesRead, written: socket.bytesWritten };
  counted.set(socket, now);
  return { bytesIn: now.read - before.read, bytesOut: now.written - before.written };
}

/** Counts the request as in flight until its response closes, then logs and samples it. */
export function watchRequest(request: FastifyRequest, reply: FastifyReply, metrics: Metrics): void {
  if (watched.has(request)) return;
  watched.add(request);
  metrics.inFlight.inc();
  const socket = request.raw.socket; // the response detaches from its socket once finished
  // timed here rather than by reply.elapsedTime, which is not started for requests that fail routing
  const start = performance.now();
  reply.raw.once('close', () => {
    metrics.inFlight.dec();
    const aborted = !reply.raw.writableFinished;
    const sample: RequestSample = {
      method: request.method,
      route: request.routeLabel ?? request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: aborted && !reply.raw.headersSent ? CLIENT_CLOSED : reply.statusCode,
      ...transferred(socket),
      durationMs: Math.round((performance.now() - start) * 1000) / 1000,
    };
    metrics.observeRequest(sample);
    request.log.info({ ...sample, remoteAddress: request.ip, ...(aborted ? { aborted } : {}) }, 'request completed');
  });
}
