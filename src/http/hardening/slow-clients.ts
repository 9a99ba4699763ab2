/**
 * Cuts off clients that hold a connection while sending or reading too slowly (slowloris and its
 * slow-read cousin), without a deadline on the whole request: a 5 GiB upload may take as long as it
 * needs while it keeps moving.
 *
 * Whenever the client owes bytes (the rest of a request body the service is ready to read, or a response
 * that waits in our buffers for the client to read it), each window of idleTimeoutMs must move at least
 * max(1, minTransferRate × window) bytes that way, or the connection is destroyed. While the service itself
 * is the slow side (a store call, a full upload pipeline), nothing is counted. Idle connections without a
 * request in progress go after idleTimeoutMs (keep-alive ones after keepAliveTimeoutMs), as Node does;
 * a request head is bounded by headersTimeoutMs (server-options.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { LimitSettings } from '../../config/network.js';

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Start of the current window in which the client has owed bytes, and the socket's counters then. */
  since: number;
  read: number;
  written: number;
}

type Owed = 'body' | 'read' | undefined;

/** What the client owes right now, if anything. */
function owedBy(exchange: Exchange, socket: Socket): Owed {
  const { req, res } = exchange;
  // bytes already waiting in req's buffer mean the service is the one behind
  if (!req.complete) return req.readableLength === 0 && !req.isPaused() ? 'body' : undefined;
  if (!res.writableFinished && (socket.writableLength > 0 || res.writableNeedDrain)) return 'read';
  return undefined;
}

function restart(exchange: Exchange, socket: Socket, now: number): void {
  exchange.since = now;
  exchange.read = socket.bytesRead;
  exchange.written = socket.bytesWritten;
}

export function guardSlowClients(server: Server, limits: LimitSettings, logger: Pick<Logger, 'info'>): void {
  const windowMs = limits.idleTimeoutMs;
  const minBytes = Math.max(1, Math.floor((limits.minTransferRate * windowMs) / 1000));
  const active = new Map<Socket, Exchange>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const exchange: Exchange = { req, res, since: 0, read: 0, written: 0 };
    restart(exchange, socket, Date.now());
    active.set(socket, exchange);
    res.once('close', () => {
      if (active.get(socket) === exchange) active.delete(socket);
    });
  });

  // Node's socket idle timeout (Fastify's connectionTimeout = idleTimeoutMs): a listener replaces its
  // default destroy, so that a request in progress is judged by the sweep below instead
  server.on('timeout', (socket: Socket) => {
    if (!active.has(socket)) socket.destroy();
  });

  const sweep = () => {
    const now = Date.now();
    for (const [socket, exchange] of active) {
      const owed = owedBy(exchange, socket);
      if (owed === undefined) {
        restart(exchange, socket, now);
        continue;
      }
      if (now - exchange.since < windowMs) continue;
      const moved = owed === 'body' ? socket.bytesRead - exchange.read : socket.bytesWritten - exchange.written;
      if (moved < minBytes) {
        const what = owed === 'body' ? 'sending its request body' : 'reading the response';
        logger.info(
          { remoteAddress: socket.remoteAddress, url: exchange.req.url, bytes: moved, windowMs, minBytes },
          `closing a slow client: ${what} moved ${moved} bytes in ${windowMs} ms (at least ${minBytes} wanted)`,
        );
        active.delete(socket);
        socket.destroy();
        continue;
      }
      restart(exchange, socket, now);
    }
  };
  const timer = setInterval(sweep, Math.max(50, Math.floor(windowMs / 4)));
  timer.unref();
  server.once('close', () => clearInterval(timer));
}
