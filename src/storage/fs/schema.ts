/**
 * The tables of meta.sqlite (documented in FORMAT.md) and the in-place migrations from older versions. Each
 * migration runs inside the exclusive transaction MetaDb.open holds, so a data dir is either migrated whole
 * or left as it was.
 */
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 5;

/** The objects table; a row's bytes are in one blob file, inline, or in the object_parts rows of a multipart object. */
const OBJECTS_TABLE = (name: string) => `
CREATE TABLE ${name} (
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  blob TEXT,
  inline_id INTEGER,
  parts_count INTEGER,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  cache_control TEXT,
  content_disposition TEXT,
  content_encoding TEXT,
  metadata TEXT NOT NULL,
  checksums TEXT,
  tags TEXT,
  encryption TEXT,
  PRIMARY KEY (bucket, key),
  CHECK ((blob IS NOT NULL) + (inline_id IS NOT NULL) + (parts_count IS NOT NULL) = 1)
) WITHOUT ROWID;`;

const INLINE_TABLE = `
CREATE TABLE inline_data (
  id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);`;

/** New in version 3: multipart objects' part blobs, and the uploads still open. */
const MULTIPART_TABLES = `
CREATE TABLE object_parts (
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  part INTEGER NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (bucket, key, part)
) WITHOUT ROWID;
CREATE INDEX object_parts_blob ON object_parts (blob);
CREATE TABLE uploads (
  id TEXT NOT NULL PRIMARY KEY,
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  initiated INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  cache_control TEXT,
  content_disposition TEXT,
  content_encoding TEXT,
  metadata TEXT NOT NULL,
  tags TEXT,
  checksum_algorithm TEXT,
  encryption TEXT
) WITHOUT ROWID;
CREATE INDEX uploads_by_key ON uploads (bucket, key, id);
CREATE INDEX uploads_by_age ON uploads (initiated);
CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  checksums TEXT,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
CREATE INDEX upload_parts_blob ON upload_parts (blob);`;

/** New in version 4: a bucket's settings, in its own row, so that they go with it. */
const BUCKET_SETTINGS = `
ALTER TABLE buckets ADD COLUMN cors TEXT;
ALTER TABLE buckets ADD COLUMN tags TEXT;`;

/** New in version 5: encryption at rest (the wrapped data key of an object or an upload, a bucket's default). */
const ENCRYPTION_COLUMNS = `
ALTER TABLE objects ADD COLUMN encryption TEXT;
ALTER TABLE uploads ADD COLUMN encryption TEXT;`;
const BUCKET_ENCRYPTION = 'ALTER TABLE buckets ADD COLUMN encryption TEXT;';

const COMMON_COLUMNS = `bucket, key, blob, size, etag, last_modified, content_type, cache_control, content_disposition,
  content_encoding, metadata`;

/** Rebuilds the objects table in the current shape from an older one, keeping the rows; `inlineId` selects that column. */
const REBUILD_OBJECTS = (inlineId: string) => `
${OBJECTS_TABLE('objects_new')}
INSERT INTO objects_new (${COMMON_COLUMNS}, inline_id)
  SELECT ${COMMON_COLUMNS}, ${inlineId} FROM objects;
DROP TABLE objects;
ALTER TABLE objects_new RENAME TO objects;
CREATE INDEX objects_blob ON objects (blob);`;

const SET_VERSION = `PRAGMA user_version = ${SCHEMA_VERSION};`;

const SCHEMA = `
CREATE TABLE buckets (
  name TEXT NOT NULL PRIMARY KEY,
  created_at INTEGER NOT NULL,
  cors TEXT,
  tags TEXT,
  encryption TEXT
) WITHOUT ROWID;
${OBJECTS_TABLE('objects')}
CREATE INDEX objects_blob ON objects (blob);
${INLINE_TABLE}
${MULTIPART_TABLES}
${SET_VERSION}`;

/**
 * Version 1 kept every object in a blob file (no inline_id, blob NOT NULL); version 2 added inline objects;
 * version 3 multipart objects (parts_count, object_parts), checksums, tags and uploads (the objects table is
 * rebuilt because its CHECK changed); version 4 buckets' CORS rules and tags; version 5 encryption at rest.
 * The objects and uploads tables the older versions' scripts create already have version 5's shape.
 */
const MIGRATIONS: Readonly<Record<number, string>> = {
  1: `${REBUILD_OBJECTS('NULL')}\n${INLINE_TABLE}\n${MULTIPART_TABLES}\n${BUCKET_SETTINGS}\n${BUCKET_ENCRYPTION}\n${SET_VERSION}`,
  2: `${REBUILD_OBJECTS('inline_id')}\n${MULTIPART_TABLES}\n${BUCKET_SETTINGS}\n${BUCKET_ENCRYPTION}\n${SET_VERSION}`,
  3: `${BUCKET_SETTINGS}\n${ENCRYPTION_COLUMNS}\n${BUCKET_ENCRYPTION}\n${SET_VERSION}`,
  4: `${ENCRYPTION_COLUMNS}\n${BUCKET_ENCRYPTION}\n${SET_VERSION}`,
};

/** Creates the tables in a new database or migrates an older one; false for a version this build cannot read. */
export function ensureSchema(db: Database.Database, version: number): boolean {
  if (version === SCHEMA_VERSION) return true;
  const script = version === 0 ? SCHEMA : MIGRATIONS[version];
  if (script === undefined) return false;
  db.exec(script);
  return true;
}
