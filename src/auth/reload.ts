/**
 * SIGHUP: the access keys re-read from where they came from (the config file's `auth.keys` and the keys
 * file, through the same loader and checks as at start) and swapped in at once. A bad new set (a file that
 * does not parse, an invalid entry, any other problem of the configuration) is logged and the old keys stay.
 * Turning authentication on or off takes a restart: a service started without keys has no auth hook, and
 * an emptied keys file must not open a keyed service to everyone.
 *
 * Only key ids reach the log, never a secret or its hash. Settings other than the keys are not reloaded.
 */
import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Keyring } from './keys.js';

/** Re-reads the whole configuration from its sources; throws ConfigError listing the problems. */
export type ConfigReader = () => Config;

/** Returns whether the new keys are in use. */
export function reloadKeys(keyring: Keyring | null, read: ConfigReader, logger: Logger): boolean {
  let keys;
  try {
    keys = read().auth.keys;
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    logger.error({ problems }, 'SIGHUP: access keys not reloaded, still using the previous ones');
    return false;
  }
  if (keyring === null) {
    if (keys.length > 0) logger.error('SIGHUP: access keys not reloaded: the service started without keys; restart it to use them');
    else logger.info('SIGHUP: no access keys configured, nothing to reload');
    return false;
  }
  if (keys.length === 0) {
    logger.error('SIGHUP: access keys not reloaded: the new set is empty, which would open the service; restart it to run without keys');
    return false;
  }
  const before = new Set(keyring.ids());
  keyring.replace(keys);
  const ids = keyring.ids();
  const added = ids.filter((id) => !before.has(id));
  const removed = [...before].filter((id) => !ids.includes(id));
  logger.info({ keys: ids, added, removed }, `SIGHUP: access keys reloaded: ${ids.length} keys (${added.length} added, ${removed.length} removed)`);
  return true;
}
