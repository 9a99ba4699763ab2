/**
 * Protected mode: without access keys the service listens on loopback only; beyond it, it
 * refuses to start unless allowAnonymous says that anyone who can reach it may do anything, and then warns.
 */
import { isIP } from 'node:net';

interface ListenSettings {
  host: string;
  allowAnonymous: boolean;
  auth: { keys: readonly unknown[] };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

const exposed = (config: ListenSettings) => !isLoopback(config.host) && config.auth.keys.length === 0;

/** Why the service must not start with these settings, or undefined. */
export function protectedModeProblem(config: ListenSettings): string | undefined {
  if (!exposed(config) || config.allowAnonymous) return undefined;
  return (
    `host: refusing to listen on ${config.host} without access keys: anyone who can reach it could read and ` +
    'delete every object. Listen on 127.0.0.1, configure access keys (auth.keys or S3GATE_KEYS_FILE; see ' +
    '`s3gate keys create`), or set S3GATE_ALLOW_ANONYMOUS=true to accept that risk.'
  );
}

/** The warning to log at start when the service is open beyond loopback, or undefined. */
export function anonymousWarning(config: ListenSettings): string | undefined {
  if (!exposed(config)) return undefined;
  return (
    `anonymous access on ${config.host}: no access keys are configured, so anyone who can reach this service ` +
    'may read, write and delete every object (S3GATE_ALLOW_ANONYMOUS=true). Configure access keys to protect it.'
  );
}
