/**
 * What a key may do: grants of actions on a bucket (or every bucket, "*") and a key prefix.
 *
 * A check names an action and a resource: the service (no bucket: listing buckets), a whole bucket
 * (no key: creating, deleting or reading the bucket itself) or a key in a bucket (an object, or the
 * prefix of a listing or a prefix delete). A grant with a prefix covers keys and listing prefixes that
 * start with it, never the whole bucket; only a "*" grant without prefix covers the service.
 * `admin` includes every other action within its grant's scope.
 *
 * `metrics` (reading /metrics) is an action on the service, so it is granted on "*" without a prefix
 * (config/auth.ts refuses it elsewhere): a scraper's key that may read nothing else.
 */
import { type Action, SERVICE_ACTIONS } from '../config/actions.js';

export { ACTIONS, type Action, SERVICE_ACTIONS } from '../config/actions.js';

export interface Grant {
  readonly bucket: string;
  readonly prefix: string;
  readonly actions: readonly Action[];
}

export function grantCovers(grant: Grant, action: Action, bucket?: string, key?: string): boolean {
  if (!grant.actions.includes(action) && !grant.actions.includes('admin')) return false;
  if (bucket === undefined) return grant.bucket === '*' && grant.prefix === '';
  if (grant.bucket !== '*' && grant.bucket !== bucket) return false;
  return key === undefined ? grant.prefix === '' : key.startsWith(grant.prefix);
}

export function grantsAllow(grants: readonly Grant[], action: Action, bucket?: string, key?: string): boolean {
  return grants.some((grant) => grantCovers(grant, action, bucket, key));
}

const VERBS: Record<Action, string> = { read: 'read', list: 'list', write: 'write', delete: 'delete', admin: 'administer', metrics: 'read' };

/** "key K may not delete photos/2026/x": the refusal, naming the action and the resource. */
export function refusal(keyId: string, action: Action, bucket?: string, key?: string): string {
  const service = SERVICE_ACTIONS.includes(action) ? `the service ${action}` : 'buckets';
  const resource = bucket === undefined ? service : key === undefined || key === '' ? `bucket ${bucket}` : `${bucket}/${key}`;
  return `Access denied: key ${keyId} may not ${VERBS[action]} ${resource}.`;
}
