/**
 * Requests that fail a route's JSON schema, told in words: "the query parameter "limit" must be at most
 * 1000", not the validator's "querystring/limit must be <= 1000". One sentence per offending field; a union
 * of allowed values ("download" or "upload") is one sentence, not one per alternative.
 */

/** What Fastify's validator (Ajv) reports for each failed rule. */
export interface SchemaFailure {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

const PARTS: Record<string, string> = {
  querystring: 'query parameter',
  body: 'field',
  params: 'path parameter',
  headers: 'header',
};

const TYPES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a JSON array',
  null: 'null',
};

/** `"limit"`, `"grants[0].bucket"`: the JSON pointer as a reader names the field. */
function fieldName(pointer: string): string {
  const segments = pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.reduce((name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment), '');
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

/** The rule broken, as the end of a sentence about the field. */
function ruleText(failure: SchemaFailure, allowed: unknown[], types: string[]): string {
  const { keyword, params } = failure;
  const limit = params['limit'];
  switch (keyword) {
    case 'const':
    case 'enum':
    case 'anyOf':
      return allowed.length > 0 ? `must be ${[...allowed.map(quoted), ...types.map((t) => TYPES[t] ?? t)].join(' or ')}` : 'is not one of the allowed values';
    case 'type':
      return `must be ${types.map((t) => TYPES[t] ?? t).join(' or ')}`;
    case 'minimum':
      return `must be at least ${String(limit)}`;
    case 'maximum':
      return `must be at most ${String(limit)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(limit)}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${String(limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(limit)} characters long`;
    case 'pattern':
      return `must match the pattern ${String(params['pattern'])}`;
    case 'format':
      return params['format'] === 'date-time' ? 'must be a date-time such as 2026-12-31T23:59:59Z' : `must be a valid ${String(params['format'])}`;
    case 'minItems':
      return `must hold at least ${String(limit)} items`;
    case 'maxItems':
      return `must hold at most ${String(limit)} items`;
    default:
      return failure.message ?? 'is not valid';
  }
}

function sentence(part: string, { first: failure, allowed, types }: FieldFailures): string {
  const { keyword, params } = failure;
  const where = PARTS[part] ?? part;
  if (keyword === 'required') return `the ${where} "${fieldName(`${failure.instancePath}/${String(params['missingProperty'])}`)}" is required`;
  if (keyword === 'additionalProperties') {
    return `the ${where} "${fieldName(`${failure.instancePath}/${String(params['additionalProperty'])}`)}" is not one the API knows`;
  }
  const name = fieldName(failure.instancePath);
  const subject = name === '' ? (part === 'body' ? 'the body' : `the ${part}`) : `the ${where} "${name}"`;
  return `${subject} ${ruleText(failure, allowed, types)}`;
}

/** The failures about one field: the one to tell, and the alternatives a union allowed. */
interface FieldFailures {
  first: SchemaFailure;
  allowed: unknown[];
  types: string[];
}

/** "Invalid request: the field "kind" must be "download" or "upload"." */
export function describeSchemaFailures(part: string | undefined, failures: readonly SchemaFailure[]): string {
  const byField = new Map<string, FieldFailures>();
  for (const failure of failures) {
    const key = failure.keyword === 'required' || failure.keyword === 'additionalProperties' ? JSON.stringify(failure.params) : failure.instancePath;
    const entry = byField.get(key) ?? { first: failure, allowed: [], types: [] };
    if (failure.keyword === 'type') entry.types.push(...String(failure.params['type']).split(','));
    if (failure.keyword === 'const') entry.allowed.push(failure.params['allowedValue']);
    if (failure.keyword === 'enum') entry.allowed.push(...((failure.params['allowedValues'] as unknown[] | undefined) ?? []));
    // a union's own "must match a schema in anyOf" adds nothing once its alternatives are listed
    if (entry.first.keyword === 'anyOf' && failure.keyword !== 'anyOf') entry.first = failure;
    byField.set(key, entry);
  }
  const sentences = [...byField.values()].map((entry) => sentence(part ?? 'request', entry));
  return `Invalid request: ${sentences.join('; ')}.`;
}
