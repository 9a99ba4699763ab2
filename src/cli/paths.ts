/**
 * Remote paths are `bucket/key` (like `aws s3` and `mc` without the scheme): the bucket up to the first `/`,
 * the key is the rest, verbatim. A key that ends in `/` (or is empty) names a folder.
 */
import { sep } from 'node:path';
import { UsageError } from './errors.js';

export interface RemotePath {
  bucket: string;
  /** May be empty: the whole bucket. */
  key: string;
}

export function parseRemote(text: string): RemotePath {
  const slash = text.indexOf('/');
  const bucket = slash < 0 ? text : text.slice(0, slash);
  if (bucket === '') throw new UsageError(`not a bucket/key path: "${text}" (try my-bucket/photos/cat.png)`);
  return { bucket, key: slash < 0 ? '' : text.slice(slash + 1) };
}

/** Like parseRemote, for commands that need a whole key. */
export function parseObjectPath(text: string): RemotePath & { key: string } {
  const path = parseRemote(text);
  if (path.key === '') throw new UsageError(`"${text}" names a bucket, not an object: give bucket/key`);
  return path;
}

export function formatRemote(path: RemotePath): string {
  return `${path.bucket}/${path.key}`;
}

export function isFolderKey(key: string): boolean {
  return key === '' || key.endsWith('/');
}

/** The key for `name` at a destination: into it when it names a folder (or the bucket), else the key itself. */
export function destinationKey(dest: string, name: string): string {
  return isFolderKey(dest) ? dest + name : dest;
}

/** A key prefix taken as a folder: `photos` → `photos/`; the empty prefix stays empty (the whole bucket). */
export function folderPrefix(key: string): string {
  return isFolderKey(key) ? key : `${key}/`;
}

/** The last segment of a key, for a default file name. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** A relative local path as a key suffix: `/`-separated on every platform. */
export function toKeySuffix(relativePath: string): string {
  return sep === '/' ? relativePath : relativePath.split(sep).join('/');
}

/**
 * The local relative path for a key suffix, or undefined when it cannot be a file below the target folder:
 * keys may hold `..`, empty segments or `\`, which must never let a download write outside that folder.
 */
export function safeLocalPath(keySuffix: string): string | undefined {
  const segments = keySuffix.split('/');
  const unsafe = (s: string) =>
    s === '' || s === '.' || s === '..' || s.includes('\0') || (sep === '\\' && /[\\:*?"<>|]/.test(s));
  if (segments.some(unsafe)) return undefined;
  return segments.join(sep);
}
