/**
 * Copies on the backend: CopyObject up to the store's copyThreshold, a multipart copy (UploadPartCopy by
 * ranges) above it, since S3 copies at most 5 GiB at once.
 *
 * - The source is read first (HeadObject): its size picks the path, its ETag and date answer the source
 *   conditions here (source-conditions.ts) and pin the version every backend request then copies
 *   (x-amz-copy-source-if-match), so a source replaced meanwhile fails the copy instead of mixing versions.
 * - A multipart copy keeps headers and tags by the directives as CopyObject does: COPY reads them from the
 *   source. It is aborted when any part fails, so the destination keeps its old version.
 * - Ceph RGW 16 crashes on UploadPartCopy from a source key that needs percent-encoding in
 *   x-amz-copy-source: such parts are copied by a ranged GetObject streamed into UploadPart instead.
 */
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ServiceError } from '../../errors/codes.js';
import { MAX_PARTS, type CopyObjectOptions, type ObjectHeaders, type ObjectMeta, type PartInfo, type Tags, type UploadPartCopyOptions } from '../types.js';
import type { Backend } from './backend.js';
import { errorCodeOf, noSuchKey } from './errors.js';
import { abortUpload, createUpload, finishUpload, onUpload, quoted, uploadPart } from './multipart.js';
import { checkSourceConditions } from './source-conditions.js';
import { deleteTags, getTags, putTags } from './tagging.js';
import { bytesHeader, checksumsOf, copySource, headerFields, isEncodedInCopySource, metaOf, taggingHeader } from './wire.js';

type Range = { start: number; end: number };

/** RGW 16 matches If-Match style headers against the bare ETag only (measured); AWS takes either form. */
const bare = (etag: string) => etag.replace(/^"(.*)"$/, '$1');

export async function headSource(b: Backend, bucket: string, key: string, signal: AbortSignal | undefined): Promise<ObjectMeta> {
  const out = await b.run({ bucket, key }, signal, () =>
    b.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
  );
  return metaOf(key, out, out.ContentLength ?? 0);
}

/** A NoSuchKey from a copy request is about its source. */
async function copying<T>(b: Backend, opts: { bucket: string; key: string; sourceBucket: string; sourceKey: string; signal?: AbortSignal | undefined }, call: () => Promise<T>): Promise<T> {
  try {
    return await b.run({ bucket: opts.bucket, key: opts.key }, opts.signal, call);
  } catch (err) {
    if (!opts.signal?.aborted && err instanceof ServiceError && err.code === 'NoSuchKey' && errorCodeOf(err.cause) === 'NoSuchKey') {
      throw noSuchKey({ bucket: opts.sourceBucket, key: opts.sourceKey }, err.cause);
    }
    throw err;
  }
}

/** The source's bytes for one part: the range asked for (checked against the source), or all of it. */
function rangeOf(source: ObjectMeta, asked: Range | undefined): Range | undefined {
  if (!asked) return source.size > 0 ? { start: 0, end: source.size - 1 } : undefined;
  if (asked.start < 0 || asked.end < asked.start || asked.end >= source.size) {
    throw new ServiceError('InvalidRange', `The range ${asked.start}-${asked.end} is not within the copy source of ${source.size} bytes.`);
  }
  return asked;
}

/** One part from the source, already read and checked by the caller. */
async function copyPart(b: Backend, opts: UploadPartCopyOptions, source: ObjectMeta): Promise<PartInfo> {
  const { bucket, key, signal, partNumber, sourceBucket, sourceKey } = opts;
  const range = rangeOf(source, opts.sourceRange);
  if (isEncodedInCopySource(sourceKey)) {
    const got = await b.run({ bucket: sourceBucket, key: sourceKey }, signal, () =>
      b.client.send(
        new GetObjectCommand({ Bucket: sourceBucket, Key: sourceKey, Range: range && bytesHeader(range), IfMatch: bare(source.etag) }),
        { abortSignal: signal },
      ),
    );
    const length = range ? range.end - range.start + 1 : 0;
    return uploadPart(b, { bucket, key, uploadId: opts.uploadId, partNumber, body: got.Body as Readable, contentLength: length, signal });
  }
  // the source was just read: a 404 now is about the upload
  const out = await onUpload(b, opts, () =>
    b.client.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: opts.uploadId,
        PartNumber: partNumber,
        CopySource: copySource(sourceBucket, sourceKey),
        CopySourceRange: range && bytesHeader(range),
        CopySourceIfMatch: bare(source.etag),
      }),
      { abortSignal: signal },
    ),
  );
  const result = out.CopyPartResult ?? {};
  return {
    partNumber,
    etag: quoted(result.ETag ?? ''),
    size: range ? range.end - range.start + 1 : 0,
    lastModified: result.LastModified ?? new Date(0),
    checksums: checksumsOf(result),
  };
}

export async function uploadPartCopy(b: Backend, opts: UploadPartCopyOptions): Promise<PartInfo> {
  const source = await headSource(b, opts.sourceBucket, opts.sourceKey, opts.signal);
  checkSourceConditions(source, opts.sourceConditions);
  return copyPart(b, opts, source);
}

/** Runs `work` on every item, at most `width` at once; the first failure stops the rest. */
async function inPool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const at = next++;
      try {
        results[at] = await work(items[at] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

export interface CopyLimits {
  threshold: number;
  partSize: number;
  queueSize: number;
}

function sourceHeaders(source: ObjectMeta): ObjectHeaders {
  const { contentType, cacheControl, contentDisposition, contentEncoding, metadata } = source;
  return { contentType, cacheControl, contentDisposition, contentEncoding, metadata };
}

async function multipartCopy(b: Backend, opts: CopyObjectOptions, source: ObjectMeta, limits: CopyLimits): Promise<void> {
  const { bucket, key, signal } = opts;
  const headers = opts.metadataDirective === 'REPLACE' ? opts.headers : sourceHeaders(source);
  const tags: Tags | undefined =
    opts.taggingDirective === 'REPLACE' ? opts.tags : await getTags(b, { bucket: opts.sourceBucket, key: opts.sourceKey, signal });
  // begun without the caller's signal: an upload cut off mid-creation would stay open with an id never seen
  const { uploadId } = await createUpload(b, { bucket, key, ...headers, tags, checksumAlgorithm: opts.checksumAlgorithm });
  const partSize = Math.max(limits.partSize, Math.ceil(source.size / MAX_PARTS));
  const ranges: Range[] = [];
  for (let start = 0; start < source.size; start += partSize) {
    ranges.push({ start, end: Math.min(start + partSize, source.size) - 1 });
  }
  try {
    signal?.throwIfAborted();
    const parts = await inPool(ranges, limits.queueSize, (range) =>
      copyPart(b, { ...opts, uploadId, partNumber: ranges.indexOf(range) + 1, sourceRange: range }, source),
    );
    await finishUpload(b, { bucket, key, uploadId, signal, parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) });
  } catch (err) {
    // without the caller's signal: the clean-up must run even when that signal is why the copy stopped
    await abortUpload(b, { bucket, key, uploadId }).catch(() => undefined);
    throw err;
  }
}

/** Copies the source (read by the caller, its conditions checked) to the destination. */
export async function copyFrom(b: Backend, opts: CopyObjectOptions, source: ObjectMeta, limits: CopyLimits): Promise<void> {
  if (source.size > limits.threshold) return multipartCopy(b, opts, source, limits);
  const replaceTags = opts.taggingDirective === 'REPLACE';
  const command = new CopyObjectCommand({
    Bucket: opts.bucket,
    Key: opts.key,
    CopySource: copySource(opts.sourceBucket, opts.sourceKey),
    CopySourceIfMatch: bare(source.etag),
    MetadataDirective: opts.metadataDirective ?? 'COPY',
    ...(opts.metadataDirective === 'REPLACE' ? headerFields(opts.headers) : {}),
    TaggingDirective: replaceTags ? 'REPLACE' : 'COPY',
    Tagging: replaceTags ? taggingHeader(opts.tags) : undefined,
    ChecksumAlgorithm: opts.checksumAlgorithm,
  });
  await copying(b, opts, () => b.client.send(command, { abortSignal: opts.signal }));
  // Ceph RGW 16 ignores the tagging directive: the tags are set afterwards (for a moment the copy has the
  // source's), and again harmlessly on a backend that applied them
  if (replaceTags) {
    const target = { bucket: opts.bucket, key: opts.key, signal: opts.signal };
    await (opts.tags && Object.keys(opts.tags).length > 0 ? putTags(b, { ...target, tags: opts.tags }) : deleteTags(b, target));
  }
}
