/**
 * Access keys in the configuration: `auth.keys` in the config file, plus the keys of a JSON keys file
 * (`auth.keysFile`, S3GATE_KEYS_FILE: handy for a container secret). Without keys the service is open and
 * protected mode keeps it on loopback (protected.ts).
 *
 * Secrets are stored as `sha256:<hex>`: they are random and long (`s3gate keys create`), so a fast hash is
 * as safe as a slow password hash here, and it runs on every request. A key that signs S3 requests keeps its
 * plain `secret` instead (SigV4 is an HMAC keyed by it: `keys create --s3`); a file holding one must be
 * readable by its owner only (private-file.ts), or the service refuses it.
 */
import { z } from 'zod';
import { ACTIONS, SERVICE_ACTIONS } from './actions.js';
import { bucketNameProblem } from '../storage/names.js';
import { readJsonFile } from './json-file.js';
import { exposedSecretsProblem } from './private-file.js';

export const SECRET_HASH_PATTERN = /^sha256:[0-9a-fA-F]{64}$/;
/** "." and ":" separate the id from the secret in a token, so an id holds neither. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const grantSchema = z
  .object({
    bucket: z.string().refine((b) => b === '*' || bucketNameProblem(b) === undefined, { message: 'a bucket name, or "*" for every bucket' }),
    /** Only keys that start with this; '' = the whole bucket. */
    prefix: z.string().default(''),
    actions: z.array(z.enum(ACTIONS)).min(1),
  })
  .strict()
  .superRefine((grant, ctx) => {
    const misplaced = grant.actions.filter((a) => SERVICE_ACTIONS.includes(a));
    if (misplaced.length > 0 && (grant.bucket !== '*' || grant.prefix !== '')) {
      const what = misplaced.join(', ');
      ctx.addIssue({ code: 'custom', path: ['actions'], message: `"${what}" is granted on the service: bucket "*" without a prefix` });
    }
  });

export const accessKeySchema = z
  .object({
    id: z.string().regex(KEY_ID_PATTERN, { message: 'letters, digits, "_" and "-" only, 1 to 128 of them' }),
    secretHash: z.string().regex(SECRET_HASH_PATTERN, { message: 'must be sha256:<64 hex digits> (s3gate keys hash)' }).optional(),
    /** Plain secret: for keys that sign S3 requests (SigV4); Bearer tokens need only secretHash. */
    secret: z.string().min(16).optional(),
    description: z.string().optional(),
    grants: z.array(grantSchema).min(1),
  })
  .strict()
  .refine((k) => (k.secretHash === undefined) !== (k.secret === undefined), { message: 'set one of secretHash or secret' });

const keysSchema = z.array(accessKeySchema).superRefine(
  (keys, ctx) => {
    const seen = new Set<unknown>();
    for (const [i, key] of keys.entries()) {
      // may run on keys that failed their own checks: reads the id only
      const id: unknown = (key as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `key id ${id} appears twice` });
      seen.add(id);
    }
  },
  { when: () => true }, // also when another key is invalid: every problem is listed at once
);

export const authSchema = z
  .object({
    keys: keysSchema.default([]),
    /** A JSON file holding an array of keys (or {"keys": [...]}), added to `keys` at start. */
    keysFile: z.string().min(1).optional().describe('JSON file of access keys, added to auth.keys of the config file'),
  })
  .strict();

export type AuthConfig = Readonly<z.output<typeof authSchema>>;
export type AccessKeyConfig = z.output<typeof accessKeySchema>;
export type GrantConfig = z.output<typeof grantSchema>;

export const AUTH_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_KEYS_FILE: 'auth.keysFile',
};

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Adds the keys file's keys (when one is named) to the settings tree, or says what is wrong with it. */
export function mergeKeysFile(tree: Tree, problems: string[]): void {
  const auth = tree['auth'];
  const path = isTree(auth) ? auth['keysFile'] : undefined;
  if (!isTree(auth) || typeof path !== 'string' || path === '') return;
  const where = `keys file ${path} (S3GATE_KEYS_FILE)`;
  let parsed: unknown;
  try {
    parsed = readJsonFile(path);
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
    return;
  }
  const keys = isTree(parsed) ? parsed['keys'] : parsed;
  const checked = z.array(accessKeySchema).safeParse(keys);
  if (!checked.success) {
    // reported against the file, where the operator will look, not at an index in the merged list
    for (const issue of checked.error.issues) problems.push(`${where}: keys.${issue.path.join('.')}: ${issue.message}`);
    return;
  }
  const exposed = exposedSecretsProblem(path, where, keys);
  if (exposed) {
    problems.push(exposed);
    return;
  }
  auth['keys'] = [...(Array.isArray(auth['keys']) ? auth['keys'] : []), ...(keys as unknown[])];
}

/** What the start-up log shows of the keys: ids and grants, never a secret or its hash. */
export function redactedAuth(auth: AuthConfig): unknown {
  return { keysFile: auth.keysFile, keys: auth.keys.map((k) => ({ id: k.id, grants: k.grants })) };
}
