/** Between the fs store's rows (db.ts) and the contract's values (types.ts). */
import { DEFAULT_CONTENT_TYPE, type Checksums, type ObjectHeaders, type ObjectMeta } from '../types.js';
import type { ObjectRow } from './db.js';
import { infoOfColumn } from './encryption.js';
import { fromColumn } from './integrity.js';

export function toMeta(row: ObjectRow): ObjectMeta {
  return {
    key: row.key.toString('utf8'),
    size: row.size,
    etag: row.etag,
    lastModified: new Date(row.last_modified),
    contentType: row.content_type,
    cacheControl: row.cache_control ?? undefined,
    contentDisposition: row.content_disposition ?? undefined,
    contentEncoding: row.content_encoding ?? undefined,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    checksums: fromColumn<Checksums>(row.checksums),
    partsCount: row.parts_count ?? undefined,
    encryption: infoOfColumn(row.encryption),
  };
}

export type HeaderColumns = Pick<ObjectRow, 'content_type' | 'cache_control' | 'content_disposition' | 'content_encoding' | 'metadata'>;

/** The header columns of a new object (or upload) stored with `headers`. */
export function headerColumns(headers: ObjectHeaders): HeaderColumns {
  return {
    content_type: headers.contentType || DEFAULT_CONTENT_TYPE,
    cache_control: headers.cacheControl ?? null,
    content_disposition: headers.contentDisposition ?? null,
    content_encoding: headers.contentEncoding ?? null,
    metadata: JSON.stringify(headers.metadata ?? {}),
  };
}

/** The header columns of `row` (an object's or an upload's). */
export function headersOf(row: HeaderColumns): HeaderColumns {
  const { content_type, cache_control, content_disposition, content_encoding, metadata } = row;
  return { content_type, cache_control, content_disposition, content_encoding, metadata };
}
