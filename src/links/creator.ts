import { grantsAllow } from '../auth/grants.js';
import type { Keyring } from '../auth/keys.js';
import type { LinkRecord } from './record.js';
import { denied } from './refusals.js';

/**
 * A link never carries more than its creator's key may do now: with access keys configured, removing the key
 * or narrowing its grants ends its links, as deactivating an S3 key ends its presigned URLs.
 */
export function assertCreatorStillAllows(keyring: Keyring | null | undefined, link: LinkRecord): void {
  if (!keyring) return; // a service without keys checks nothing (protected mode keeps it on loopback)
  if (link.createdBy === null) throw denied('it was made before access keys were configured; make it again with a key');
  const creator = keyring.principalOf(link.createdBy);
  if (!creator) throw denied(`the access key ${link.createdBy} that made it no longer exists`);
  const action = link.kind === 'download' ? 'read' : 'write';
  if (!grantsAllow(creator.grants, action, link.bucket, link.key)) {
    throw denied(`the access key ${link.createdBy} that made it may no longer ${action} ${link.bucket}/${link.key}`);
  }
}
