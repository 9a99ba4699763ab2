/**
 * The Range header (RFC 9110 §14): one byte range, in any of its three forms. Anything else (other
 * units, several ranges, bad syntax) is ignored and the whole object is served, as the RFC allows.
 */

/** `bytes=a-b` and `bytes=a-` (end undefined), or `bytes=-n` (the last n bytes). */
export type RangeRequest = { start: number; end?: number | undefined } | { suffix: number };

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

export function isSuffix(range: RangeRequest): range is { suffix: number } {
  return 'suffix' in range;
}

/** The bytes a range selects in an object of `size` bytes, or undefined when it selects none (416). */
export function resolveRange(range: RangeRequest, size: number): ByteSpan | undefined {
  if (isSuffix(range)) {
    if (range.suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start >= size) return undefined;
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

export function contentRange(span: ByteSpan, size: number): string {
  return `bytes ${span.start}-${span.end}/${size}`;
}

export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
