/** Byte ranges as the contract states them, resolved against an object's size the same way by every store. */
import { ServiceError } from '../errors/codes.js';
import { sameEtag } from './preconditions.js';
import type { ByteRange, ObjectMeta, RangeCondition } from './types.js';

/** The inclusive bytes a range selects in an object of `size` bytes, or undefined when it selects none. */
export function rangeSpan(size: number, range: ByteRange): { start: number; end: number } | undefined {
  if ('suffix' in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  const { start } = range;
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isSafeInteger(start) || start < 0 || start >= size || end < start) return undefined;
  return { start, end };
}

/** The inclusive byte range to serve, clamped to the object; InvalidRange when none of it exists. */
export function clampRange(size: number, range: ByteRange): { start: number; end: number } {
  const span = rangeSpan(size, range);
  if (!span) throw new ServiceError('InvalidRange', `The requested range is not satisfiable: the object has ${size} bytes.`);
  return span;
}

/** Whether an If-Range condition still holds for this version of the object (a strong comparison). */
export function rangeStillApplies(meta: Pick<ObjectMeta, 'etag' | 'lastModified'>, condition: RangeCondition | undefined): boolean {
  if (!condition) return true;
  if ('etag' in condition) return !condition.etag.startsWith('W/') && sameEtag(meta.etag, condition.etag);
  // HTTP dates have whole seconds
  return Math.floor(meta.lastModified.getTime() / 1000) === Math.floor(condition.lastModified.getTime() / 1000);
}

/** The range a get should serve for this object, or undefined for all of it. */
export function servedRange(
  meta: Pick<ObjectMeta, 'etag' | 'lastModified' | 'size'>,
  range: ByteRange | undefined,
  condition: RangeCondition | undefined,
): { start: number; end: number } | undefined {
  if (!range || !rangeStillApplies(meta, condition)) return undefined;
  return clampRange(meta.size, range);
}
