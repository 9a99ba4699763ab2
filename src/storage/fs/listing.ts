/**
 * Listing straight from the SQLite index, in UTF-8 byte order.
 *
 * Every bound is a byte string and every scan is one range [from, to) of the (bucket, key) primary key:
 * a prefix is [prefix, successor(prefix)), "after k" is [k + 0x00, ...). With a delimiter, the first key
 * under a new common prefix ends the scan, and the next one starts at successor(commonPrefix): one index
 * seek per common prefix, however many keys it rolls up. Keys and common prefixes share the maxKeys budget.
 *
 * Continuation tokens are base64url of one kind byte ("k" last key, "p" last common prefix) + its bytes.
 */
import { ServiceError } from '../../errors/codes.js';
import { MAX_LIST_KEYS, type ListObjectsOptions, type ListObjectsResult, type ObjectSummary } from '../types.js';
import type { ListRow, MetaDb } from './db.js';

/** Above every valid UTF-8 key (no UTF-8 byte is 0xFF): the upper bound of an unbounded scan. */
export const TOP = Buffer.from([0xff]);
export const ZERO = Buffer.from([0]);

interface Position {
  kind: 'k' | 'p';
  bytes: Buffer;
}

/** The smallest byte string greater than every string starting with `prefix`; TOP when there is none. */
export function successor(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i] as number;
    if (byte < 0xff) {
      const out = Buffer.from(prefix.subarray(0, i + 1));
      out[i] = byte + 1;
      return out;
    }
  }
  return TOP;
}

export function encodeToken(position: Position): string {
  return Buffer.concat([Buffer.from(position.kind), position.bytes]).toString('base64url');
}

export function decodeToken(token: string): Position {
  const raw = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
  const kind = String.fromCharCode(raw[0] ?? 0);
  if (raw.length < 2 || (kind !== 'k' && kind !== 'p')) {
    throw new ServiceError('InvalidArgument', 'The continuation token is not valid.');
  }
  return { kind, bytes: raw.subarray(1) };
}

/** A page's size: `wanted` (named `name` in the error) capped at 1000, or 1000. */
export function pageSize(wanted: number | undefined, name = 'maxKeys'): number {
  if (wanted === undefined) return MAX_LIST_KEYS;
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new ServiceError('InvalidArgument', `${name} must be a whole number from 1 to ${MAX_LIST_KEYS}.`);
  }
  return Math.min(wanted, MAX_LIST_KEYS);
}

/** Where the page starts: after the token's position, else after startAfter, never before the prefix. */
function startOf(opts: ListObjectsOptions, prefix: Buffer): Buffer {
  let from = prefix;
  if (opts.continuationToken !== undefined) {
    const at = decodeToken(opts.continuationToken);
    from = at.kind === 'k' ? Buffer.concat([at.bytes, ZERO]) : successor(at.bytes);
  } else if (opts.startAfter) {
    from = Buffer.concat([Buffer.from(opts.startAfter, 'utf8'), ZERO]);
  }
  return Buffer.compare(from, prefix) < 0 ? prefix : from;
}

function summary(row: ListRow): ObjectSummary {
  return {
    key: row.key.toString('utf8'),
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    storageClass: 'STANDARD',
  };
}

/** What a rolled-up scan gives: the rows in order, the common prefixes, and what came last. */
export interface RolledUp<Row> {
  rows: Row[];
  commonPrefixes: string[];
  truncated: boolean;
  last: { row: Row } | { prefix: Buffer } | undefined;
}

/**
 * Scans key ranges below `to` from `start`, rolling keys up into common prefixes at the delimiter (after the
 * prefix): a common prefix ends the scan, which goes on at `skip(common)`. Rows and prefixes share `max`.
 */
export function rollUp<Row extends { key: Buffer }, Start extends { key: Buffer }>(spec: {
  prefix: Buffer;
  delimiter: Buffer | undefined;
  max: number;
  start: Start;
  to: Buffer;
  scan: (from: Start) => Iterable<Row>;
  skip: (common: Buffer) => Start;
}): RolledUp<Row> {
  const { prefix, delimiter, max, to } = spec;
  const out: RolledUp<Row> = { rows: [], commonPrefixes: [], truncated: false, last: undefined };
  let from: Start | undefined = spec.start;
  scanning: while (from && Buffer.compare(from.key, to) < 0) {
    const rows = spec.scan(from);
    from = undefined; // set again only when a common prefix ends this scan
    for (const row of rows) {
      if (out.rows.length + out.commonPrefixes.length >= max) {
        out.truncated = true;
        break scanning;
      }
      const cut = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) {
        out.rows.push(row);
        out.last = { row };
        continue;
      }
      const common = row.key.subarray(0, cut + (delimiter as Buffer).length);
      out.commonPrefixes.push(common.toString('utf8'));
      out.last = { prefix: common };
      from = spec.skip(common);
      break;
    }
  }
  return out;
}

/** One page of a bucket's listing (the caller has checked that the bucket exists). */
export function listPage(db: MetaDb, opts: ListObjectsOptions): ListObjectsResult {
  const prefix = Buffer.from(opts.prefix ?? '', 'utf8');
  const to = prefix.length > 0 ? successor(prefix) : TOP;
  const page = rollUp({
    prefix,
    delimiter: opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : undefined,
    max: pageSize(opts.maxKeys),
    start: { key: startOf(opts, prefix) },
    to,
    scan: (from) => db.scan(opts.bucket, from.key, to),
    skip: (common) => ({ key: successor(common) }),
  });
  const last: Position | undefined =
    page.last && ('row' in page.last ? { kind: 'k', bytes: page.last.row.key } : { kind: 'p', bytes: page.last.prefix });
  return {
    objects: page.rows.map(summary),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.truncated,
    nextContinuationToken: page.truncated && last ? encodeToken(last) : undefined,
  };
}
