/**
 * Files that hold plain secrets (an access key's S3 secret) must be readable by their owner only: a group-
 * or world-readable one would hand every local user the keys. Checked at start and at every reload.
 */
import { statSync } from 'node:fs';

/**
 * The problem with a file whose key entries (`keys`, as parsed) keep plain secrets while others may read
 * it, or undefined when it keeps none or only its owner can read it.
 */
export function exposedSecretsProblem(path: string, what: string, keys: unknown): string | undefined {
  if (!holdsPlainSecrets(keys)) return undefined;
  if (process.platform === 'win32') return undefined; // no POSIX modes; ACLs are the operator's business
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined; // reading it has failed or will fail with its own message
  }
  if ((mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  return `${what} holds plain S3 secrets ("secret") but its group or others may read it (mode ${octal}): run "chmod 600 ${path}"`;
}

/** Whether any key entry of a parsed list keeps a plain secret. */
function holdsPlainSecrets(keys: unknown): boolean {
  return Array.isArray(keys) && keys.some((key) => typeof key === 'object' && key !== null && 'secret' in key);
}
