/**
 * Small translations between the store's types and S3's wire forms: Range and Content-Range headers,
 * x-amz-copy-source, url-encoded listings, tag sets, checksum fields, and object metadata from Head/GetObject
 * answers.
 */
import type { HeadObjectCommandOutput, ListMultipartUploadsCommandOutput, ListObjectsV2CommandOutput, Tag } from '@aws-sdk/client-s3';
import { ServiceError } from '../../errors/codes.js';
import {
  CHECKSUM_ALGORITHMS,
  DEFAULT_CONTENT_TYPE,
  type ByteRange,
  type Checksums,
  type ListObjectsResult,
  type ListUploadsResult,
  type ObjectHeaders,
  type ObjectMeta,
  type Tags,
} from '../types.js';

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

/** True when the key's x-amz-copy-source form is not the key itself (it needed percent-encoding). */
export function isEncodedInCopySource(key: string): boolean {
  return key.split('/').map(encodeURIComponent).join('/') !== key;
}

/** An inclusive range as x-amz-copy-source-range and Range want it. */
export function bytesHeader(range: { start: number; end: number }): string {
  return `bytes=${range.start}-${range.end}`;
}

/**
 * Tags as the x-amz-tagging header carries them: a URL query ("a=1&b=2"); undefined for none. Percent-encoded
 * throughout: Ceph RGW 16 reads a "+" as a plus, not as a space.
 */
export function taggingHeader(tags: Tags | undefined): string | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return Object.entries(tags)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

export function tagSetOf(tags: Tags): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagsOf(tagSet: readonly Tag[] | undefined): Tags {
  const tags: Tags = {};
  for (const { Key, Value } of tagSet ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
  return tags;
}

type ChecksumFields = Partial<Record<`Checksum${(typeof CHECKSUM_ALGORITHMS)[number]}`, string | undefined>>;

/** The SDK's Checksum<ALGORITHM> fields of an answer, by algorithm; undefined when it carries none. */
export function checksumsOf(out: ChecksumFields): Checksums | undefined {
  const found: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = out[`Checksum${algorithm}`];
    if (value) found[algorithm] = value;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

/** Checksums as the SDK's Checksum<ALGORITHM> request fields. */
export function checksumFields(checksums: Checksums | undefined): ChecksumFields {
  const fields: ChecksumFields = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums?.[algorithm];
    if (value !== undefined) fields[`Checksum${algorithm}`] = value;
  }
  return fields;
}

/** An object's headers as the SDK's request fields (a missing content type is S3's default). */
export function headerFields(headers: ObjectHeaders | undefined) {
  return {
    ContentType: headers?.contentType ?? DEFAULT_CONTENT_TYPE,
    CacheControl: headers?.cacheControl,
    ContentDisposition: headers?.contentDisposition,
    ContentEncoding: headers?.contentEncoding,
    Metadata: headers?.metadata,
  };
}

/**
 * Keys and prefixes of a listing asked for with EncodingType=url. S3 form-encodes them (a space may come
 * as "+", a plus as "%2B"); a server that ignored the request sends them raw, and says so by leaving
 * EncodingType out of its answer.
 */
function decoderFor(out: { EncodingType?: string | undefined }): (value: string) => string {
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

/** What url-encoding leaves as it is: a value with anything else was sent raw. */
const URL_ENCODED = /^[A-Za-z0-9\-._~!*'()/%]*$/;

/**
 * Ceph RGW 16 url-encodes the keys of ListMultipartUploads when asked, but does not say so (no EncodingType
 * in the answer): the keys are decoded unless one of them shows it was sent raw.
 */
function uploadsDecoder(out: ListMultipartUploadsCommandOutput): (value: string) => string {
  if (out.EncodingType === 'url') return decoderFor(out);
  const values = [...(out.Uploads ?? []).map((u) => u.Key ?? ''), ...(out.CommonPrefixes ?? []).map((p) => p.Prefix ?? '')];
  const encoded = values.every((value) => URL_ENCODED.test(value));
  return encoded ? decoderFor({ EncodingType: 'url' }) : (value) => value;
}

/**
 * The next page starts after the last upload listed (S3's own NextKeyMarker and NextUploadIdMarker, taken
 * from the decoded entry: RGW 16 sends the marker raw, dropping control characters).
 */
export function decodeUploads(out: ListMultipartUploadsCommandOutput): ListUploadsResult {
  const decode = uploadsDecoder(out);
  const truncated = out.IsTruncated ?? false;
  const uploads = (out.Uploads ?? []).map((u) => ({
    key: decode(u.Key ?? ''),
    uploadId: u.UploadId ?? '',
    initiated: u.Initiated ?? new Date(0),
  }));
  const commonPrefixes = (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix === undefined ? [] : [decode(p.Prefix)]));
  const last = uploads.at(-1);
  const lastPrefix = commonPrefixes.at(-1);
  // a page may end with a common prefix, which sorts after the uploads before it
  const prefixLast = lastPrefix !== undefined && (last === undefined || lastPrefix > last.key);
  return {
    uploads,
    commonPrefixes,
    isTruncated: truncated,
    nextKeyMarker: !truncated ? undefined : prefixLast ? lastPrefix : (last?.key ?? out.NextKeyMarker),
    nextUploadIdMarker: !truncated || prefixLast ? undefined : (last?.uploadId ?? out.NextUploadIdMarker),
  };
}

/** The user-metadata name under which a multipart upload's tags wait for its completion (see multipart.ts). */
export const UPLOAD_TAGS_METADATA = 's3gate-upload-tagging';

/** Reads never show the reserved name, so writes may not use it. */
export function assertOwnMetadata(metadata: Record<string, string> | undefined): void {
  if (metadata && Object.hasOwn(metadata, UPLOAD_TAGS_METADATA)) {
    throw new ServiceError('InvalidArgument', `The metadata name "${UPLOAD_TAGS_METADATA}" is reserved by the s3 store.`);
  }
}

type MetaFields = Pick<
  HeadObjectCommandOutput,
  'ETag' | 'LastModified' | 'ContentType' | 'CacheControl' | 'ContentDisposition' | 'ContentEncoding' | 'Metadata' | 'PartsCount'
> &
  ChecksumFields;

export function metaOf(key: string, out: MetaFields, size: number): ObjectMeta {
  const { [UPLOAD_TAGS_METADATA]: _pendingTags, ...metadata } = out.Metadata ?? {};
  return {
    key,
    size,
    etag: out.ETag ?? '',
    lastModified: out.LastModified ?? new Date(0),
    contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
    cacheControl: out.CacheControl,
    contentDisposition: out.ContentDisposition,
    contentEncoding: out.ContentEncoding,
    metadata,
    checksums: checksumsOf(out),
    partsCount: out.PartsCount,
  };
}
