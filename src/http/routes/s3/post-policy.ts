/**
 * The policy of a browser upload (POST Object): a base64 JSON document `{ expiration, conditions }` that
 * says what the form may hold. Read and checked as S3 does: the policy must not have expired, every
 * condition must hold, and every field of the form must be named by a condition (an exact match or a
 * prefix), so that a signed policy never lets a browser add what its signer did not foresee. The
 * content-length-range is returned for the upload to enforce while the file streams.
 */
import { ServiceError } from '../../../errors/codes.js';
import { PROOF_FIELDS } from './post-signature.js';

type FieldCondition = { kind: 'eq' | 'starts-with'; field: string; value: string; text: string };
type LengthCondition = { kind: 'content-length-range'; min: number; max: number; text: string };
export type PolicyCondition = FieldCondition | LengthCondition;

export interface PostPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
}

export interface LengthRange {
  min: number;
  max: number;
}

const invalid = (why: string) => new ServiceError('InvalidPolicyDocument', `Invalid Policy: ${why}`);
const denied = (why: string) => new ServiceError('AccessDenied', `Invalid according to Policy: ${why}`);

/** A condition as S3 quotes it in its refusals: `["eq", "$key", "photos/a.jpg"]`. */
const quoted = (parts: readonly unknown[]): string => `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeJson(base64: string): unknown {
  const text = base64.replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 !== 0) throw invalid('the policy is not base64.');
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
}

function lengthBound(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/** `{"bucket": "photos"}` is `["eq", "$bucket", "photos"]`. */
function simpleCondition(object: Record<string, unknown>): FieldCondition {
  const entries = Object.entries(object);
  const [entry] = entries;
  if (entries.length !== 1 || !entry || typeof entry[1] !== 'string') {
    throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified, with a text value.');
  }
  const [name, value] = entry;
  return { kind: 'eq', field: name.toLowerCase(), value, text: quoted(['eq', `$${name}`, value]) };
}

function listCondition(list: readonly unknown[]): PolicyCondition {
  const [operation, first, second] = list;
  const op = typeof operation === 'string' ? operation.toLowerCase() : '';
  const text = quoted(list);
  if (op === 'content-length-range') {
    const min = lengthBound(first);
    const max = lengthBound(second);
    if (list.length !== 3 || min === undefined || max === undefined || min > max) {
      throw invalid(`Invalid content-length-range: ${text} must give a minimum and a maximum number of bytes, the minimum not above the maximum.`);
    }
    return { kind: 'content-length-range', min, max, text };
  }
  if (op !== 'eq' && op !== 'starts-with') throw invalid(`Invalid Condition: ${text}: the operation must be eq, starts-with or content-length-range.`);
  if (list.length !== 3 || typeof first !== 'string' || typeof second !== 'string' || !first.startsWith('$') || first.length < 2) {
    throw invalid(`Invalid Condition: ${text} must be [operation, "$field", value], with the field's name and the value as text.`);
  }
  return { kind: op, field: first.slice(1).toLowerCase(), value: second, text };
}

/** The policy of a form's `policy` field; InvalidPolicyDocument when it cannot be read. */
export function readPolicy(base64: string): PostPolicy {
  const document = decodeJson(base64);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid('the policy must be a JSON object.');
  const { expiration, conditions } = document as Record<string, unknown>;
  if (expiration === undefined) throw invalid('Policy missing expiration.');
  const expires = typeof expiration === 'string' && ISO_TIME.test(expiration) ? new Date(expiration) : undefined;
  if (!expires || Number.isNaN(expires.getTime())) throw invalid(`Invalid 'expiration' value: ${JSON.stringify(expiration)} (an ISO 8601 time in UTC, such as 2030-01-01T00:00:00Z).`);
  if (conditions === undefined) throw invalid('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalid("the policy's conditions must be a list.");
  return {
    expiration: expires,
    conditions: conditions.map((condition: unknown) => {
      if (Array.isArray(condition)) return listCondition(condition);
      if (typeof condition === 'object' && condition !== null) return simpleCondition(condition as Record<string, unknown>);
      throw invalid(`Invalid Condition: ${JSON.stringify(condition)} must be an object or a list.`);
    }),
  };
}

/**
 * Fields the policy need not name: its own proof, the file, fields a form marks as ignored, and checksums,
 * which can only make an upload fail, never let more in.
 */
function exempt(field: string): boolean {
  return PROOF_FIELDS.has(field) || field === 'file' || field.startsWith('x-ignore-') || field.startsWith('x-amz-checksum-');
}

/**
 * Checks `policy` against the form's inputs (lower-cased names: the fields, with `key` as it will be stored
 * and `bucket` the bucket posted to), at `now`. Throws AccessDenied with S3's words; returns the length range
 * the file must keep within, when the policy sets one.
 */
export function checkPolicy(policy: PostPolicy, inputs: ReadonlyMap<string, string>, now: Date): LengthRange | undefined {
  if (now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  const named = new Set<string>();
  let range: LengthRange | undefined;
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: Math.max(range?.min ?? 0, condition.min), max: Math.min(range?.max ?? Infinity, condition.max) };
      continue;
    }
    named.add(condition.field);
    // a field the form leaves out is empty: only a condition that any value meets holds for it
    const value = inputs.get(condition.field) ?? '';
    const holds = condition.kind === 'eq' ? value === condition.value : value.startsWith(condition.value);
    if (!holds) throw denied(`Policy Condition failed: ${condition.text}`);
  }
  const extra = [...inputs.keys()].filter((field) => !exempt(field) && !named.has(field));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
