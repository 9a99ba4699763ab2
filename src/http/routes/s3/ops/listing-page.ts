/**
 * One page of a bucket listing as S3's three listings (v1, v2, versions) read it: keys and common prefixes
 * after a marker, at most max-keys of both, with the last of them to go on from.
 *
 * S3 never answers a common prefix that is not greater than the marker: a marker inside a rolled-up
 * prefix ("a/b" under "a/" with delimiter "/"), or the prefix itself (a v1 NextMarker), skips the whole
 * prefix. A store reading "strictly after" literally would answer that prefix again, and a client paging
 * by NextMarker would loop; so that prefix, which can only come first, is dropped here, and one entry
 * more is asked so the page stays full.
 */
import { ServiceError } from '../../../../errors/codes.js';
import { MAX_LIST_KEYS, type ObjectStore, type ObjectSummary } from '../../../../storage/types.js';

export interface PageRequest {
  store: ObjectStore;
  bucket: string;
  prefix: string | undefined;
  delimiter: string | undefined;
  /** List after this key or common prefix. */
  marker: string | undefined;
  /** 0..1000. */
  maxKeys: number;
  signal: AbortSignal;
}

export interface ListingPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The greatest key or common prefix of the page, in byte order: where the next page starts. */
  last: string | undefined;
}

/** UTF-8 byte order (JavaScript's own comparison is by UTF-16 units, which differs above U+FFFF). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The greater of the last key and the last common prefix. */
function greatest(objects: readonly ObjectSummary[], commonPrefixes: readonly string[]): { value: string; isKey: boolean } | undefined {
  const key = objects.at(-1)?.key;
  const prefix = commonPrefixes.at(-1);
  if (key === undefined) return prefix === undefined ? undefined : { value: prefix, isKey: false };
  return prefix === undefined || byteOrder(key, prefix) > 0 ? { value: key, isKey: true } : { value: prefix, isKey: false };
}

/** The common prefix the marker lies in (or is), which the page must not answer. */
function markerPrefix(prefix: string, delimiter: string | undefined, marker: string | undefined): string | undefined {
  if (!delimiter || marker === undefined || !marker.startsWith(prefix)) return undefined;
  const cut = marker.indexOf(delimiter, prefix.length);
  return cut < 0 ? undefined : marker.slice(0, cut + delimiter.length);
}

/** max-keys: a whole number; above 1000 it is 1000, as S3 caps it. */
export function maxKeysOf(value: string | null, name = 'max-keys'): number {
  if (value === null) return MAX_LIST_KEYS;
  if (!/^\d{1,10}$/.test(value.trim())) throw new ServiceError('InvalidArgument', `${name} must be a whole number from 0 to ${MAX_LIST_KEYS}.`);
  return Math.min(Number(value.trim()), MAX_LIST_KEYS);
}

export async function listPage(asked: PageRequest): Promise<ListingPage> {
  const { store, bucket, signal } = asked;
  if (asked.maxKeys === 0) {
    await store.headBucket({ bucket, signal }); // nothing to list, but a missing bucket is still one
    return { objects: [], commonPrefixes: [], isTruncated: false, last: undefined };
  }
  const skipped = markerPrefix(asked.prefix ?? '', asked.delimiter, asked.marker);
  const page = await store.listObjects({
    bucket,
    prefix: asked.prefix || undefined,
    delimiter: asked.delimiter || undefined,
    startAfter: asked.marker || undefined,
    maxKeys: Math.min(asked.maxKeys + (skipped === undefined ? 0 : 1), MAX_LIST_KEYS),
    signal,
  });
  const objects = page.objects;
  const commonPrefixes = skipped !== undefined && page.commonPrefixes[0] === skipped ? page.commonPrefixes.slice(1) : page.commonPrefixes;
  let isTruncated = page.isTruncated;
  if (objects.length + commonPrefixes.length > asked.maxKeys) {
    // the one entry asked beyond max-keys: the greatest of the page, whichever list holds it
    (greatest(objects, commonPrefixes)?.isKey ? objects : commonPrefixes).pop();
    isTruncated = true;
  }
  const last = greatest(objects, commonPrefixes)?.value;
  return { objects, commonPrefixes, isTruncated, last };
}
