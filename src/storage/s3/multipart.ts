/**
 * Multipart uploads on the backend's own multipart API: the upload id, parts and listings are the backend's.
 *
 * - A part is streamed to UploadPart with its length: S3 wants a Content-Length on every part (chunked
 *   bodies are refused). A part whose length the caller does not know is read into memory first, up to the
 *   store's partSize (the bound lib-storage also buffers a part to), and refused beyond it.
 * - Completion checks the parts here against the backend's listing (order, ETags, sizes), so every backend
 *   answers InvalidPartOrder, InvalidPart and EntityTooSmall alike (Ceph RGW 16 says EntityTooSmall for a
 *   wrong ETag); the store then reads the object back, as RGW 16 answers the completion with an empty ETag.
 * - A 404 on a call about an upload is NoSuchUpload (RGW 16 says NoSuchKey for some), or NoSuchBucket.
 * - Ceph RGW 16 ignores x-amz-tagging on CreateMultipartUpload: the tags also travel in the upload's
 *   metadata under a reserved name (tagsInMetadata), are applied when it completes, and are never shown.
 * - ListParts carries no initiation date: it is looked up in ListMultipartUploads.
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ServiceError } from '../../errors/codes.js';
import { isChecksumAlgorithm } from '../checksums.js';
import { sameEtag } from '../preconditions.js';
import {
  MIN_PART_SIZE,
  type CompleteMultipartOptions,
  type CreateMultipartOptions,
  type ListPartsOptions,
  type ListPartsResult,
  type ListUploadsOptions,
  type ListUploadsResult,
  type ObjectMeta,
  type PartInfo,
  type Tags,
  type UploadOptions,
  type UploadPartOptions,
} from '../types.js';
import type { Backend } from './backend.js';
import { assertChecksumsSupported } from './checksum-support.js';
import { putTags } from './tagging.js';
import { spool } from './spool.js';
import { bodyFailure, counted } from './upload.js';
import { assertOwnMetadata, checksumFields, checksumsOf, decodeUploads, headerFields, metaOf, taggingHeader, UPLOAD_TAGS_METADATA } from './wire.js';

const MAX_LIST = 1000;

/** A call about an upload: its 404 that is not about the bucket is about the upload. */
export async function onUpload<T>(b: Backend, opts: UploadOptions, call: () => Promise<T>): Promise<T> {
  try {
    return await b.run({ bucket: opts.bucket, key: opts.key }, opts.signal, call);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'NoSuchKey') {
      throw new ServiceError('NoSuchUpload', `The upload "${opts.uploadId}" of "${opts.key}" does not exist: it was completed, aborted or never begun.`, {
        cause: err.cause,
      });
    }
    throw err;
  }
}

/** A new part's last-modified time as a listing would give it (UploadPart answers none): now, to the second. */
const now = () => new Date(Math.floor(Date.now() / 1000) * 1000);

/** ETags as S3 quotes them (Ceph RGW 16 sends some bare). */
export const quoted = (etag: string) => (etag === '' || /^".*"$/.test(etag) ? etag : `"${etag}"`);

export async function createUpload(b: Backend, opts: CreateMultipartOptions): Promise<{ uploadId: string }> {
  const { bucket, key, signal } = opts;
  assertChecksumsSupported(b.checksums, { checksumAlgorithm: opts.checksumAlgorithm });
  assertOwnMetadata(opts.metadata);
  const out = await b.run({ bucket, key }, signal, () =>
    b.client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ...headerFields(opts),
        Metadata: tagsInMetadata(opts.metadata, opts.tags),
        Tagging: taggingHeader(opts.tags),
        ChecksumAlgorithm: opts.checksumAlgorithm,
      }),
      { abortSignal: signal },
    ),
  );
  if (!out.UploadId) throw new ServiceError('InternalError', `The S3 backend began no upload for "${key}".`);
  return { uploadId: out.UploadId };
}

function tagsInMetadata(metadata: Record<string, string> | undefined, tags: Tags | undefined): Record<string, string> | undefined {
  const tagging = taggingHeader(tags);
  return tagging === undefined ? metadata : { ...metadata, [UPLOAD_TAGS_METADATA]: tagging };
}

/** The part's bytes with their length: the stream itself when the length is known, else from a temporary file. */
async function sized(part: UploadPartOptions): Promise<{ body: Readable; length: number; remove?: () => Promise<void> }> {
  if (part.contentLength !== undefined) return { body: part.body, length: part.contentLength };
  const spooled = await spool(part.body, part.signal);
  return { body: spooled.open(), length: spooled.length, remove: spooled.remove };
}

export async function uploadPart(b: Backend, opts: UploadPartOptions): Promise<PartInfo> {
  const { bucket, key, signal, partNumber } = opts;
  let part: Awaited<ReturnType<typeof sized>>;
  try {
    assertChecksumsSupported(b.checksums, opts);
    part = await sized(opts);
  } catch (err) {
    opts.body.destroy();
    throw err;
  }
  const relay = counted(part.body, part.length, undefined);
  // a value given is sent as it is; an algorithm asked for alone is computed by the SDK
  const asked = opts.checksumAlgorithm && opts.checksums?.[opts.checksumAlgorithm] === undefined ? opts.checksumAlgorithm : undefined;
  try {
    const out = await onUpload(b, opts, () =>
      b.client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: opts.uploadId,
          PartNumber: partNumber,
          Body: relay.stream,
          ContentLength: part.length,
          ContentMD5: opts.contentMd5,
          ...checksumFields(opts.checksums),
          ChecksumAlgorithm: asked,
        }),
        { abortSignal: signal },
      ),
    );
    return { partNumber, etag: quoted(out.ETag ?? ''), size: part.length, lastModified: now(), checksums: checksumsOf(out) };
  } catch (err) {
    opts.body.destroy();
    if (relay.state.failure !== undefined && !signal?.aborted) throw bodyFailure(relay.state.failure);
    throw err;
  } finally {
    relay.stream.destroy();
    await part.remove?.();
  }
}

/** When the upload began, from the backend's listing of the key's uploads (the epoch when not found). */
async function initiatedAt(b: Backend, opts: UploadOptions): Promise<Date> {
  const { bucket, key, signal } = opts;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await listUploads(b, { bucket, prefix: key, keyMarker, uploadIdMarker, signal });
    const found = page.uploads.find((u) => u.uploadId === opts.uploadId);
    if (found) return found.initiated;
    // uploads are listed by key: once past this one, it is not there
    if (!page.isTruncated || page.uploads.some((u) => u.key > key)) return new Date(0);
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

/** One page of the upload's parts, without the initiation date (a call of its own). */
async function partsPage(b: Backend, opts: ListPartsOptions): Promise<Omit<ListPartsResult, 'initiated'>> {
  const { bucket, key, signal } = opts;
  const out = await onUpload(b, opts, () =>
    b.client.send(
      new ListPartsCommand({
        Bucket: bucket,
        Key: key,
        UploadId: opts.uploadId,
        PartNumberMarker: opts.partNumberMarker === undefined ? undefined : String(opts.partNumberMarker),
        MaxParts: opts.maxParts ?? MAX_LIST,
      }),
      { abortSignal: signal },
    ),
  );
  const truncated = out.IsTruncated ?? false;
  const algorithm: string | undefined = out.ChecksumAlgorithm;
  return {
    parts: (out.Parts ?? []).map((p) => ({
      partNumber: p.PartNumber ?? 0,
      etag: quoted(p.ETag ?? ''),
      size: p.Size ?? 0,
      lastModified: p.LastModified ?? new Date(0),
      checksums: checksumsOf(p),
    })),
    isTruncated: truncated,
    nextPartNumberMarker: truncated && out.NextPartNumberMarker ? Number(out.NextPartNumberMarker) : undefined,
    checksumAlgorithm: algorithm !== undefined && isChecksumAlgorithm(algorithm) ? algorithm : undefined,
  };
}

export async function listParts(b: Backend, opts: ListPartsOptions): Promise<ListPartsResult> {
  const page = await partsPage(b, opts);
  return { ...page, initiated: await initiatedAt(b, opts) };
}

/** One page of the backend's listing, without a delimiter (see listUploads). */
async function backendUploads(b: Backend, opts: ListUploadsOptions): Promise<ListUploadsResult> {
  const { bucket, signal } = opts;
  const out = await b.run({ bucket }, signal, () =>
    b.client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: opts.prefix,
        KeyMarker: opts.keyMarker,
        UploadIdMarker: opts.keyMarker === undefined ? undefined : opts.uploadIdMarker,
        MaxUploads: opts.maxUploads ?? MAX_LIST,
        EncodingType: 'url',
      }),
      { abortSignal: signal },
    ),
  );
  const page = decodeUploads(out);
  // S3 lists the keys after a key marker given alone; Ceph RGW 16 lists that key too
  if (opts.keyMarker === undefined || opts.uploadIdMarker !== undefined) return page;
  return { ...page, uploads: page.uploads.filter((u) => u.key !== opts.keyMarker) };
}

/**
 * Uploads are grouped by the delimiter here: Ceph RGW 16 drops the uploads under a delimiter and sends no
 * common prefixes for them. A page counts each common prefix once, as S3 does, and a key marker that is a
 * common prefix resumes after everything under it.
 */
export async function listUploads(b: Backend, opts: ListUploadsOptions): Promise<ListUploadsResult> {
  const { delimiter } = opts;
  if (!delimiter) return backendUploads(b, opts);
  const prefix = opts.prefix ?? '';
  const max = opts.maxUploads ?? MAX_LIST;
  const passed = opts.keyMarker?.endsWith(delimiter) ? opts.keyMarker : undefined;
  const found: ListUploadsResult = { uploads: [], commonPrefixes: [], isTruncated: false };
  let keyMarker = opts.keyMarker;
  let uploadIdMarker = opts.uploadIdMarker;
  for (;;) {
    const page = await backendUploads(b, { ...opts, keyMarker, uploadIdMarker, maxUploads: MAX_LIST });
    for (const upload of page.uploads) {
      if (passed !== undefined && upload.key.startsWith(passed)) continue;
      const at = upload.key.indexOf(delimiter, prefix.length);
      const group = at < 0 ? undefined : upload.key.slice(0, at + delimiter.length);
      if (group !== undefined && found.commonPrefixes.at(-1) === group) continue;
      if (found.uploads.length + found.commonPrefixes.length === max) return { ...found, isTruncated: true };
      if (group === undefined) found.uploads.push(upload);
      else found.commonPrefixes.push(group);
      found.nextKeyMarker = group ?? upload.key;
      found.nextUploadIdMarker = group === undefined ? upload.uploadId : undefined;
    }
    if (!page.isTruncated) return { ...found, nextKeyMarker: undefined, nextUploadIdMarker: undefined };
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

/** Every part the upload holds, by number. */
async function uploadedParts(b: Backend, opts: UploadOptions): Promise<Map<number, PartInfo>> {
  const parts = new Map<number, PartInfo>();
  let partNumberMarker: number | undefined;
  for (;;) {
    const page = await partsPage(b, { ...opts, partNumberMarker });
    for (const part of page.parts) parts.set(part.partNumber, part);
    if (!page.isTruncated || page.nextPartNumberMarker === undefined) return parts;
    partNumberMarker = page.nextPartNumberMarker;
  }
}

/** S3's rules for a completion, in S3's order: ascending numbers, parts uploaded with those ETags, none but the last small. */
function checkedParts(asked: CompleteMultipartOptions['parts'], uploaded: Map<number, PartInfo>): PartInfo[] {
  if (asked.some((part, i) => i > 0 && part.partNumber <= (asked[i - 1]?.partNumber ?? 0))) {
    throw new ServiceError('InvalidPartOrder', 'The parts must be listed in ascending order of their numbers.');
  }
  const found = asked.map((part) => {
    const info = uploaded.get(part.partNumber);
    if (!info || !sameEtag(info.etag, part.etag)) {
      throw new ServiceError('InvalidPart', `Part ${part.partNumber} was not uploaded with the ETag ${part.etag}.`);
    }
    return info;
  });
  const small = found.slice(0, -1).find((info) => info.size < MIN_PART_SIZE);
  if (small) {
    throw new ServiceError('EntityTooSmall', `Part ${small.partNumber} is ${small.size} bytes; every part but the last must be at least ${MIN_PART_SIZE}.`);
  }
  return found;
}

/** Completes the upload (the caller has checked the write conditions), applies its waiting tags, reads it back. */
export async function finishUpload(b: Backend, opts: CompleteMultipartOptions): Promise<ObjectMeta> {
  const { bucket, key, signal } = opts;
  await completeUpload(b, opts);
  const head = await b.run({ bucket, key }, signal, () =>
    b.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
  );
  const tagging = head.Metadata?.[UPLOAD_TAGS_METADATA];
  if (tagging !== undefined) await putTags(b, { bucket, key, signal, tags: Object.fromEntries(new URLSearchParams(tagging)) });
  return { ...metaOf(key, head, head.ContentLength ?? 0), partsCount: opts.parts.length };
}

async function completeUpload(b: Backend, opts: CompleteMultipartOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  const uploaded = await uploadedParts(b, opts);
  const parts = checkedParts(opts.parts, uploaded);
  await onUpload(b, opts, () =>
    b.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: opts.uploadId,
        MultipartUpload: {
          Parts: parts.map((p, i) => ({ PartNumber: p.partNumber, ETag: p.etag, ...checksumFields(opts.parts[i]?.checksums) })),
        },
        // sent too: a backend with conditional writes applies them atomically (the store checked them already)
        IfNoneMatch: opts.ifNoneMatch,
        IfMatch: opts.ifMatch?.replace(/^"(.*)"$/, '$1'),
      }),
      { abortSignal: signal },
    ),
  ).catch((err: unknown) => {
    // Ceph RGW 16 completes an upload only with every part it holds (InvalidPart otherwise)
    if (err instanceof ServiceError && err.code === 'InvalidPart' && parts.length < uploaded.size) {
      throw new ServiceError('NotImplemented', 'The S3 backend completes an upload only with all of its parts; list every uploaded part.', {
        cause: err.cause,
      });
    }
    throw err;
  });
}

export async function abortUpload(b: Backend, opts: UploadOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  await onUpload(b, opts, () =>
    b.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: opts.uploadId }), { abortSignal: signal }),
  );
}

