/**
 * The Range header (RFC 9110 §14): one byte range, in any of its three forms. Anything else (other
 * units, several ranges, bad syntax) is ignored and the whole object is served, as the RFC allows.
 */

import type { ByteRange } from '../../storage/types.js';

/** `bytes=a-b` and `bytes=a-` (end undefined), or `bytes=-n` (the last n bytes): the store's own form. */
export type RangeRequest = ByteRange;

/** An inclusive byte range within the object. */
export interface ByteSpan {
  start: number;
  end: number;
}

const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)-(\d*)[ \t]*$/i;

export function parseRange(header: string | undefined): RangeRequest | undefined {
  if (header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  // numbers past 2^53 cannot be positions in any stored object: treat them as "far beyond the end"
  const num = (digits: string) => Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
  if (first === '') return { suffix: num(last) };
  const start = num(first);
  if (last === '') return { start };
  const end = num(last);
  // a last position before the first is invalid syntax (§14.1.1), not an unsatisfiable range
  return end < start ? undefined : { start, end };
}

export function contentRange(span: ByteSpan, size: number): string {
  return `bytes ${span.start}-${span.end}/${size}`;
}

export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
