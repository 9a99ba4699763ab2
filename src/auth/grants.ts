/**
 * What a key may do: grants of actions on a bucket (or every bucket, "*") and a key prefix.
 *
 * A check names an action and a resource: the service (no bucket: listing buckets), a whole bucket
 * (no key: creating, deleting or reading the bucket itself) or a key in a bucket (an object, or the
 * prefix of a listing or a prefix delete). A grant with a prefix covers keys and listing prefixes that
 * start with it, never the whole bucket; only a "*" grant without prefix covers the service.
 * `admin` includes every other action within its grant's scope.
 */
export const ACTIONS = ['read', 'list', 'write', 'delete', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

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

const VERBS: Record<Action, string> = { read: 'read', list: 'list', write: 'write', delete: 'delete', admin: 'administer' };

/** "key K may not delete photos/2026/x": the refusal, naming the action and the resource. */
export function refusal(keyId: string, action: Action, bucket?: string, key?: string): string {
  const resource = bucket === undefined ? 'buckets' : key === undefined || key === '' ? `bucket ${bucket}` : `${bucket}/${key}`;
  return `Access denied: key ${keyId} may not ${VERBS[action]} ${resource}.`;
}
