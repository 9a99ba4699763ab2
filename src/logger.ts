/**
 * The service's logger: pino JSON lines (or pretty lines on a terminal), with secrets and share-link tokens
 * removed before a line is written.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/schema.js';

/** Paths that may hold secrets; pino replaces them before a line is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-security-token"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-amz-security-token"]',
  '*.secretAccessKey',
  '*.sessionToken',
];

/**
 * A share link's path `/s/<token>` where a path starts: at the start of a string, after a space, a quote,
 * `=`, `(`, or a URL's host. A key that merely contains `/s/` (`/v1/buckets/b/objects/x/s/y`) is left alone.
 */
const SHARE_TOKEN = /(?<=^|[\s"'=(]|\/\/[^/\s"']+)\/s\/[^/?#\s"'\\]+/g;

/** The text with every share-link token replaced. */
export function redactShareTokens(text: string): string {
  return text.includes('/s/') ? text.replace(SHARE_TOKEN, '/s/[redacted]') : text;
}

/**
 * Scrubs whole serialized lines, so a token is caught wherever it ends up: a message, an error's stack,
 * a URL in any field.
 */
function scrubbing(destination: DestinationStream): DestinationStream {
  return { write: (line: string) => destination.write(redactShareTokens(line)) };
}

/** pino-pretty writes synchronously to stdout; loaded only when asked for (it is for people at a terminal). */
function prettyStdout(): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
  return pretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // the start line's message already says where it listens: one line on a terminal, not three
    ignore: 'pid,hostname,address,addresses,s3Address',
  });
}

function wantsPretty(format: Config['logFormat']): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

/**
 * Fastify logs "Server listening at <url>" once per address it listens on; the service's own start line
 * (server.ts) names them all with the store, so these would only repeat it.
 */
const FRAMEWORK_LISTEN_LINE = /^Server listening at /;

function dropFrameworkListenLines(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  if (typeof args[0] === 'string' && FRAMEWORK_LISTEN_LINE.test(args[0])) return;
  method.apply(this, args);
}

/** The logger for `config`; `destination` (tests) replaces stdout and always gets JSON lines. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Logger {
  // sync: a fatal line must be written before process.exit
  const target = destination ?? (wantsPretty(config.logFormat) ? prettyStdout() : pino.destination({ fd: 1, sync: true }));
  const options = { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, hooks: { logMethod: dropFrameworkListenLines } };
  return pino(options, scrubbing(target));
}

/**
 * Logs an uncaught exception or unhandled rejection as fatal and exits 1: after one, the process state is
 * unknown, so it must not go on serving (a supervisor restarts it).
 */
export function exitOnUncaughtErrors(logger: Logger): void {
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(1);
  });
}
