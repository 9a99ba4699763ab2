/**
 * ListMultipartUploads from the index: uploads in UTF-8 byte order of their keys, then in initiation order
 * (upload ids sort by the time they were made, see newUploadId), rolled up into common prefixes by the
 * delimiter as object listings are (listing.ts). The markers are S3's: a key marker alone lists the keys after
 * it; with an upload id marker, the uploads of that key after that id come first.
 */
import type { ListUploadsOptions, ListUploadsResult } from '../types.js';
import type { MetaDb } from './db.js';
import { pageSize, rollUp, successor, TOP, ZERO } from './listing.js';

/** Where a page starts: a key, and the upload id after which that key's uploads count ('' for all of them). */
function startOf(opts: ListUploadsOptions, prefix: Buffer, delimiter: Buffer | undefined): { key: Buffer; afterId: string } {
  if (opts.keyMarker === undefined || opts.keyMarker === '') return { key: prefix, afterId: '' };
  const marker = Buffer.from(opts.keyMarker, 'utf8');
  let start: { key: Buffer; afterId: string } = { key: Buffer.concat([marker, ZERO]), afterId: '' };
  if (opts.uploadIdMarker) start = { key: marker, afterId: opts.uploadIdMarker };
  // a marker that is a common prefix (the last item of a page) stands for every key under it
  else if (delimiter && marker.indexOf(delimiter, prefix.length) === marker.length - delimiter.length) {
    start = { key: successor(marker), afterId: '' };
  }
  return Buffer.compare(start.key, prefix) < 0 ? { key: prefix, afterId: '' } : start;
}

export function listUploadsPage(db: MetaDb, opts: ListUploadsOptions): ListUploadsResult {
  const prefix = Buffer.from(opts.prefix ?? '', 'utf8');
  const delimiter = opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : undefined;
  const to = prefix.length > 0 ? successor(prefix) : TOP;
  const page = rollUp({
    prefix,
    delimiter,
    max: pageSize(opts.maxUploads, 'maxUploads'),
    start: startOf(opts, prefix, delimiter),
    to,
    scan: (from) => db.uploads.scan(opts.bucket, from.key, from.afterId, to),
    skip: (common) => ({ key: successor(common), afterId: '' }),
  });
  const last = page.last && ('row' in page.last ? { key: page.last.row.key, id: page.last.row.id } : { key: page.last.prefix, id: undefined });
  return {
    uploads: page.rows.map((row) => ({ key: row.key.toString('utf8'), uploadId: row.id, initiated: new Date(row.initiated) })),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.truncated,
    nextKeyMarker: page.truncated ? last?.key.toString('utf8') : undefined,
    nextUploadIdMarker: page.truncated ? last?.id : undefined,
  };
}
