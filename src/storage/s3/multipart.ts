/**
 * Multipart uploads on the backend's own multipart API: the upload id, parts and listings are the backend's.
 *
 * - A part is streamed to UploadPart with its length: S3 wants a Content-Length on every part (chunked
 *   bodies are refused). A part whose length the caller does not know is read into memory first, up to the
 *   store's partSize (the bound lib-storage also buffers a part to), and refused beyond it.
 * - Completion checks the part order and the write conditions here (see completeUpload), then reads the
 *   object back: Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag.
 * - ListParts carries no initiation date: it is looked up in ListMultipartUploads.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ServiceError } from '../../errors/codes.js';
import { isChecksumAlgorithm } from '../checksums.js';
import type {
  CompleteMultipartOptions,
  CreateMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  PartInfo,
  UploadOptions,
  UploadPartOptions,
} from '../types.js';
import type { Backend } from './backend.js';
import { assertChecksumsSupported } from './checksum-support.js';
import { bodyFailure, counted } from './upload.js';
import { checksumFields, checksumsOf, decodeUploads, headerFields, taggingHeader } from './wire.js';

const MAX_LIST = 1000;

/** What S3 sends back as a part's last-modified time when it has none: now, to the second. */
const now = () => new Date(Math.floor(Date.now() / 1000) * 1000);

const quoted = (etag: string) => (/^".*"$/.test(etag) ? etag : `"${etag}"`);

export async function createUpload(b: Backend, opts: CreateMultipartOptions): Promise<{ uploadId: string }> {
  const { bucket, key, signal } = opts;
  assertChecksumsSupported(b.checksums, { checksumAlgorithm: opts.checksumAlgorithm });
  const out = await b.run({ bucket, key }, signal, () =>
    b.client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ...headerFields(opts),
        Tagging: taggingHeader(opts.tags),
        ChecksumAlgorithm: opts.checksumAlgorithm,
      }),
      { abortSignal: signal },
    ),
  );
  if (!out.UploadId) throw new ServiceError('InternalError', `The S3 backend began no upload for "${key}".`);
  return { uploadId: out.UploadId };
}

/** The part's bytes with their length: the stream as it is when the length is known, else read (bounded). */
async function sized(part: UploadPartOptions, limit: number): Promise<{ body: Readable | Buffer; length: number }> {
  if (part.contentLength !== undefined) return { body: part.body, length: part.contentLength };
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of part.body) {
    const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += buffer.length;
    if (length > limit) {
      throw new ServiceError('InvalidRequest', `A part of unknown length may be at most ${limit} bytes on this store; send its length.`);
    }
    chunks.push(buffer);
  }
  return { body: Buffer.concat(chunks), length };
}

export async function uploadPart(b: Backend, opts: UploadPartOptions, unknownLengthLimit: number): Promise<PartInfo> {
  const { bucket, key, signal, partNumber } = opts;
  let part: { body: Readable | Buffer; length: number };
  try {
    assertChecksumsSupported(b.checksums, opts);
    part = await sized(opts, unknownLengthLimit);
  } catch (err) {
    opts.body.destroy();
    throw err;
  }
  const relay = part.body instanceof Readable ? counted(part.body, part.length, undefined) : undefined;
  // a value given is sent as it is; an algorithm asked for alone is computed by the SDK
  const asked = opts.checksumAlgorithm && opts.checksums?.[opts.checksumAlgorithm] === undefined ? opts.checksumAlgorithm : undefined;
  try {
    const out = await b.run({ bucket, key }, signal, () =>
      b.client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: opts.uploadId,
          PartNumber: partNumber,
          Body: relay?.stream ?? part.body,
          ContentLength: part.length,
          ContentMD5: opts.contentMd5,
          ...checksumFields(opts.checksums),
          ChecksumAlgorithm: asked,
        }),
        { abortSignal: signal },
      ),
    );
    return { partNumber, etag: out.ETag ?? '', size: part.length, lastModified: now(), checksums: checksumsOf(out) };
  } catch (err) {
    opts.body.destroy();
    if (relay?.state.failure !== undefined && !signal?.aborted) throw bodyFailure(relay.state.failure);
    throw err;
  } finally {
    relay?.stream.destroy();
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

export async function listParts(b: Backend, opts: ListPartsOptions): Promise<ListPartsResult> {
  const { bucket, key, signal } = opts;
  const out = await b.run({ bucket, key }, signal, () =>
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
      etag: p.ETag ?? '',
      size: p.Size ?? 0,
      lastModified: p.LastModified ?? new Date(0),
      checksums: checksumsOf(p),
    })),
    isTruncated: truncated,
    nextPartNumberMarker: truncated && out.NextPartNumberMarker ? Number(out.NextPartNumberMarker) : undefined,
    initiated: await initiatedAt(b, opts),
    checksumAlgorithm: algorithm !== undefined && isChecksumAlgorithm(algorithm) ? algorithm : undefined,
  };
}

export async function listUploads(b: Backend, opts: ListUploadsOptions): Promise<ListUploadsResult> {
  const { bucket, signal } = opts;
  const out = await b.run({ bucket }, signal, () =>
    b.client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: opts.prefix,
        Delimiter: opts.delimiter,
        KeyMarker: opts.keyMarker,
        UploadIdMarker: opts.keyMarker === undefined ? undefined : opts.uploadIdMarker,
        MaxUploads: opts.maxUploads ?? MAX_LIST,
        EncodingType: 'url',
      }),
      { abortSignal: signal },
    ),
  );
  return decodeUploads(out);
}

/** S3's own rule, checked before asking: part numbers strictly ascending. */
function assertAscending(parts: CompleteMultipartOptions['parts']): void {
  for (let i = 1; i < parts.length; i++) {
    if ((parts[i]?.partNumber ?? 0) <= (parts[i - 1]?.partNumber ?? 0)) {
      throw new ServiceError('InvalidPartOrder', 'The parts must be listed in ascending order of their numbers.');
    }
  }
}

/** Completes the upload; the caller has checked the write conditions and reads the object back. */
export async function completeUpload(b: Backend, opts: CompleteMultipartOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  assertAscending(opts.parts);
  await b.run({ bucket, key }, signal, () =>
    b.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: opts.uploadId,
        MultipartUpload: {
          Parts: opts.parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoted(p.etag), ...checksumFields(p.checksums) })),
        },
        // sent too: a backend with conditional writes applies them atomically (the store checked them already)
        IfNoneMatch: opts.ifNoneMatch,
        IfMatch: opts.ifMatch?.replace(/^"(.*)"$/, '$1'),
      }),
      { abortSignal: signal },
    ),
  );
}

export async function abortUpload(b: Backend, opts: UploadOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  await b.run({ bucket, key }, signal, () =>
    b.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: opts.uploadId }), { abortSignal: signal }),
  );
}

