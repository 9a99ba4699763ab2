/**
 * Small translations between the store's types and S3's wire forms: Range and Content-Range headers,
 * x-amz-copy-source, url-encoded listings, and object metadata from Head/GetObject answers.
 */
import type { HeadObjectCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { DEFAULT_CONTENT_TYPE, type ByteRange, type ListObjectsResult, type ObjectMeta } from '../types.js';

export function rangeHeader(range: ByteRange | undefined): string | undefined {
  if (!range) return undefined;
  return 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end ?? ''}`;
}

/** "bytes 2-5/20" → { start: 2, end: 5, total: 20 }; undefined when absent or not of that form. */
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number } | undefined {
  const match = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

/** The x-amz-copy-source value: "bucket/key", URI-encoded with the key's slashes kept. */
export function copySource(bucket: string, key: string): string {
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Keys and prefixes of a listing asked for with EncodingType=url. S3 form-encodes them (a space may come
 * as "+", a plus as "%2B"); a server that ignored the request sends them raw, and says so by leaving
 * EncodingType out of its answer.
 */
function decoderFor(out: ListObjectsV2CommandOutput): (value: string) => string {
  if (out.EncodingType !== 'url') return (value) => value;
  return (value) => decodeURIComponent(value.replaceAll('+', '%20'));
}

export function decodeListing(out: ListObjectsV2CommandOutput): ListObjectsResult {
  const decode = decoderFor(out);
  return {
    objects: (out.Contents ?? []).map((o) => ({
      key: decode(o.Key ?? ''),
      size: o.Size ?? 0,
      etag: o.ETag ?? '',
      lastModified: o.LastModified ?? new Date(0),
      storageClass: o.StorageClass ?? 'STANDARD',
      ownerId: o.Owner?.ID,
      ownerDisplayName: o.Owner?.DisplayName,
    })),
    commonPrefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix === undefined ? [] : [decode(p.Prefix)])),
    isTruncated: out.IsTruncated ?? false,
    nextContinuationToken: out.IsTruncated ? out.NextContinuationToken : undefined,
  };
}

type MetaFields = Pick<
  HeadObjectCommandOutput,
  'ETag' | 'LastModified' | 'ContentType' | 'CacheControl' | 'ContentDisposition' | 'ContentEncoding' | 'Metadata'
>;

export function metaOf(key: string, out: MetaFields, size: number): ObjectMeta {
  return {
    key,
    size,
    etag: out.ETag ?? '',
    lastModified: out.LastModified ?? new Date(0),
    contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
    cacheControl: out.CacheControl,
    contentDisposition: out.ContentDisposition,
    contentEncoding: out.ContentEncoding,
    metadata: { ...out.Metadata },
  };
}
