import type { ObjectRow } from '../../src/storage/fs/db.js';

/**
 * An fs index row with no bytes behind it, for tests and benchmarks that fill the index by the million
 * (MetaDb.insertUnchecked) to measure or check listings only.
 */
export function indexOnlyRow(bucket: string, key: string, size = 1): ObjectRow {
  return {
    bucket,
    key: Buffer.from(key),
    blob: '0'.repeat(32),
    inline_id: null,
    parts_count: null,
    size,
    etag: '"0"',
    last_modified: 0,
    content_type: 'application/octet-stream',
    cache_control: null,
    content_disposition: null,
    content_encoding: null,
    metadata: '{}',
    checksums: null,
    tags: null,
  encryption: null,
  };
}
