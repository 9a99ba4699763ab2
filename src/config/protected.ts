/**
 * Protected mode: without access keys the service listens on loopback only; beyond it, it
 * refuses to start unless allowAnonymous says that anyone who can reach it may do anything, and then warns.
 */
import { isIP } from 'node:net';

interface ListenSettings {
  host: string;
  allowAnonymous: boolean;
  auth: { keys: readonly unknown[] };
  /** The S3-compatible listener, protected the same way. */
  s3api?: { enabled: boolean; host: string } | undefined;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The first listener address beyond loopback when there are no keys, with the setting that names it. */
function exposed(config: ListenSettings): { host: string; setting: string } | undefined {
  if (config.auth.keys.length > 0) return undefined;
  if (!isLoopback(config.host)) return { host: config.host, setting: 'host' };
  if (config.s3api?.enabled && !isLoopback(config.s3api.host)) return { host: config.s3api.host, setting: 's3api.host' };
  return undefined;
}

/** Why the service must not start with these settings, or undefined. */
export function protectedModeProblem(config: ListenSettings): string | undefined {
  const open = exposed(config);
  if (!open || config.allowAnonymous) return undefined;
  return (
    `${open.setting}: refusing to listen on ${open.host} without access keys: anyone who can reach it could read and ` +
    'delete every object. Listen on 127.0.0.1, configure access keys (auth.keys or S3GATE_KEYS_FILE; see ' +
    '`s3gate keys create`), or set S3GATE_ALLOW_ANONYMOUS=true to accept that risk.'
  );
}

/** The warning to log at start when the service is open beyond loopback, or undefined. */
export function anonymousWarning(config: ListenSettings): string | undefined {
  const open = exposed(config);
  if (!open) return undefined;
  return (
    `anonymous access on ${open.host}: no access keys are configured, so anyone who can reach this service ` +
    'may read, write and delete every object (S3GATE_ALLOW_ANONYMOUS=true). Configure access keys to protect it.'
  );
}
