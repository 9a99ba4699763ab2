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
const TOP = Buffer.from([0xff]);
const ZERO = Buffer.from([0]);

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

function pageSize(maxKeys: number | undefined): number {
  if (maxKeys === undefined) return MAX_LIST_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new ServiceError('InvalidArgument', `maxKeys must be a whole number from 1 to ${MAX_LIST_KEYS}.`);
  }
  return Math.min(maxKeys, MAX_LIST_KEYS);
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

/** One page of a bucket's listing (the caller has checked that the bucket exists). */
export function listPage(db: MetaDb, opts: ListObjectsOptions): ListObjectsResult {
  const max = pageSize(opts.maxKeys);
  const prefix = Buffer.from(opts.prefix ?? '', 'utf8');
  const delimiter = opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : undefined;
  const to = prefix.length > 0 ? successor(prefix) : TOP;
  const objects: ObjectSummary[] = [];
  const commonPrefixes: string[] = [];
  let last: Position | undefined;
  let truncated = false;
  let from: Buffer | undefined = startOf(opts, prefix);

  scanning: while (from && Buffer.compare(from, to) < 0) {
    const rows = db.scan(opts.bucket, from, to);
    from = undefined; // set again only when a common prefix ends this scan
    for (const row of rows) {
      if (objects.length + commonPrefixes.length >= max) {
        truncated = true;
        break scanning;
      }
      const cut = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      if (cut < 0) {
        objects.push(summary(row));
        last = { kind: 'k', bytes: row.key };
        continue;
      }
      const common = row.key.subarray(0, cut + (delimiter as Buffer).length);
      commonPrefixes.push(common.toString('utf8'));
      last = { kind: 'p', bytes: common };
      from = successor(common);
      break;
    }
  }
  return {
    objects,
    commonPrefixes,
    isTruncated: truncated,
    nextContinuationToken: truncated && last ? encodeToken(last) : undefined,
  };
}
