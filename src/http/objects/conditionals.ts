/**
 * Conditional requests (RFC 9110 §13): evaluated in the RFC's order against the current ETag and
 * Last-Modified. Unparsable dates are ignored, as §13.1.3/§13.1.4 require.
 */
import type { RangeCondition } from '../../storage/types.js';

export interface Validators {
  /** Quoted, strong: "\"<hex>\"". */
  etag: string;
  lastModified: Date;
}

export interface ConditionalHeaders {
  'if-match'?: string | undefined;
  'if-none-match'?: string | undefined;
  'if-modified-since'?: string | undefined;
  'if-unmodified-since'?: string | undefined;
  'if-range'?: string | undefined;
}

/** What the preconditions decide: serve as asked, 304, or 412. */
export type Verdict = 'proceed' | 'not-modified' | 'failed';

interface EntityTag {
  weak: boolean;
  opaque: string;
}

const ENTITY_TAG = /(W\/)?("[^"]*")/g;

/** '*' or the entity tags of a comma-separated list; malformed members are skipped. */
function entityTags(header: string): '*' | EntityTag[] {
  if (header.trim() === '*') return '*';
  return [...header.matchAll(ENTITY_TAG)].map((m) => ({ weak: m[1] !== undefined, opaque: m[2] ?? '' }));
}

function strongMatch(header: string, current: string): boolean {
  const tags = entityTags(header);
  return tags === '*' || tags.some((t) => !t.weak && t.opaque === current);
}

function weakMatch(header: string, current: string): boolean {
  const tags = entityTags(header);
  return tags === '*' || tags.some((t) => t.opaque === current);
}

/** HTTP dates have whole seconds: compare at that precision, or a fresh object would never be "not modified". */
function seconds(date: Date | number): number {
  return Math.floor(Number(date) / 1000);
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 9110 §13.2.2 steps 1-4, for GET and HEAD. */
export function evaluatePreconditions(headers: ConditionalHeaders, current: Validators): Verdict {
  const ifMatch = headers['if-match'];
  const ifUnmodifiedSince = httpDate(headers['if-unmodified-since']);
  if (ifMatch !== undefined) {
    if (!strongMatch(ifMatch, current.etag)) return 'failed';
  } else if (ifUnmodifiedSince !== undefined && seconds(current.lastModified) > seconds(ifUnmodifiedSince)) {
    return 'failed';
  }
  const ifNoneMatch = headers['if-none-match'];
  const ifModifiedSince = httpDate(headers['if-modified-since']);
  if (ifNoneMatch !== undefined) {
    if (weakMatch(ifNoneMatch, current.etag)) return 'not-modified';
  } else if (ifModifiedSince !== undefined && seconds(current.lastModified) <= seconds(ifModifiedSince)) {
    return 'not-modified';
  }
  return 'proceed';
}

/**
 * Step 5: If-Range lets the Range header apply only to the representation the client already has part of.
 * The condition for the store to check, or 'never' when it cannot hold (a weak tag, an unparsable date).
 */
export function ifRangeCondition(headers: ConditionalHeaders): RangeCondition | 'never' | undefined {
  const ifRange = headers['if-range']?.trim();
  if (ifRange === undefined) return undefined;
  if (ifRange.startsWith('W/')) return 'never';
  if (ifRange.startsWith('"')) return { etag: ifRange };
  const date = httpDate(ifRange);
  return date === undefined ? 'never' : { lastModified: new Date(date) };
}
