/**
 * Streaming uploads with @aws-sdk/lib-storage: a body that fits in one part goes as one PutObject, a larger
 * or unknown-length one as a multipart upload of `partSize` parts, `queueSize` at a time.
 *
 * - All or nothing: when the body fails or the signal aborts, lib-storage aborts the multipart upload and
 *   never completes it, so the key keeps its old version (or stays absent).
 * - The signal also cuts the requests in flight (see `sendingWith`); lib-storage alone would only stop
 *   between parts, and a single PutObject already on the wire could still land after we reported failure.
 * - Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag: then HeadObject has the real one.
 * - Tags go with x-amz-tagging; a body that went in parts is tagged once complete as well (RGW 16 ignores the
 *   header on CreateMultipartUpload), so for a moment the new object has none.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, HeadObjectCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ServiceError } from '../../errors/codes.js';
import { checkContentMd5 } from '../preconditions.js';
import { DEFAULT_CONTENT_TYPE, MAX_PARTS, type PutObjectOptions } from '../types.js';
import { isAbortError } from './errors.js';
import type { S3StoreOptions } from './options.js';
import { checksumFields, tagSetOf, taggingHeader } from './wire.js';


export interface UploadResult {
  etag: string;
  size: number;
}

/** The same client, but every request except the clean-up (AbortMultipartUpload) carries `signal`. */
function sendingWith(client: S3Client, signal: AbortSignal | undefined): S3Client {
  if (!signal) return client;
  const send = (command: Parameters<S3Client['send']>[0], options?: { abortSignal?: AbortSignal }) =>
    command instanceof AbortMultipartUploadCommand
      ? client.send(command, options)
      : client.send(command, { ...options, abortSignal: signal });
  return new Proxy(client, {
    get: (target, property) => (property === 'send' ? send : Reflect.get(target, property, target)),
  });
}

/**
 * Passes the body on while counting its bytes, refusing a length other than the announced one, and
 * remembering whether the body itself failed (as opposed to the upload stopping to read it).
 * The body is paused at once: a caller's 'data' listener must not let chunks flow past before
 * lib-storage starts reading (today it starts within the same tick; the pause keeps that from mattering).
 */
export function counted(body: Readable, announced: number | undefined, md5Base64: string | undefined) {
  body.pause();
  // the digest is checked before the body ends, so a mismatch fails the upload before it completes
  const md5 = md5Base64 === undefined ? undefined : createHash('md5');
  const state: { size: number; failure?: unknown } = { size: 0 };
  const wrongLength = () =>
    new ServiceError('IncompleteBody', `The body was ${state.size} bytes long or more; ${announced} were announced.`);
  async function* relay() {
    try {
      for await (const chunk of body) {
        const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        state.size += buffer.length;
        if (announced !== undefined && state.size > announced) throw wrongLength();
        md5?.update(buffer);
        yield buffer;
      }
      if (announced !== undefined && state.size !== announced) throw wrongLength();
      if (md5) checkContentMd5(md5Base64, md5.digest('hex'));
    } catch (err) {
      state.failure = err;
      throw err;
    }
  }
  return { stream: Readable.from(relay(), { objectMode: false }), state };
}

/** What a failed body means for the caller: its abort, our ServiceError (wrong length), or IncompleteBody. */
export function bodyFailure(err: unknown): unknown {
  if (isAbortError(err) || err instanceof ServiceError) return err;
  return new ServiceError('IncompleteBody', 'The upload body failed before it was complete; nothing was stored.', {
    cause: err,
  });
}

/**
 * Throws NotImplemented for a checksum value on a body that may go as several parts: lib-storage would send
 * the whole body's value with every part, and the backend keeps only the parts' composite.
 */
export function assertWholeChecksums(opts: S3StoreOptions, put: PutObjectOptions): void {
  const given = Object.keys(put.checksums ?? {}).length > 0;
  if (given && (put.contentLength === undefined || put.contentLength > opts.partSize)) {
    throw new ServiceError('NotImplemented', `The s3 store takes a checksum value only on a body of known length up to ${opts.partSize} bytes.`);
  }
}

export async function uploadObject(client: S3Client, opts: S3StoreOptions, put: PutObjectOptions): Promise<UploadResult> {
  const { signal } = put;
  signal?.throwIfAborted();
  const body = counted(put.body, put.contentLength, put.contentMd5);
  // A known length may need bigger parts to stay within S3's 10,000 parts (unknown: up to partSize × 10,000).
  const partSize = Math.max(opts.partSize, Math.ceil((put.contentLength ?? 0) / MAX_PARTS));
  const upload = new Upload({
    client: sendingWith(client, signal),
    partSize,
    queueSize: opts.queueSize,
    leavePartsOnError: false,
    params: {
      Bucket: put.bucket,
      Key: put.key,
      Body: body.stream,
      ContentType: put.contentType ?? DEFAULT_CONTENT_TYPE,
      CacheControl: put.cacheControl,
      ContentDisposition: put.contentDisposition,
      ContentEncoding: put.contentEncoding,
      Metadata: put.metadata,
      Tagging: taggingHeader(put.tags),
      // the store lets whole-object values through only for a single PutObject (see wholeChecksums)
      ...checksumFields(put.checksums),
      ChecksumAlgorithm: put.checksumAlgorithm,
      // the store checks these before the upload; sent too, servers with conditional writes (AWS, Ceph RGW,
      // MinIO) apply them atomically. RGW 16 matches If-Match against the bare ETag only (measured).
      IfMatch: put.ifMatch?.replace(/^"(.*)"$/, '$1'),
      IfNoneMatch: put.ifNoneMatch,
    },
  });
  const onAbort = () => {
    void upload.abort();
    put.body.destroy(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let etag: string | undefined;
  try {
    etag = (await upload.done()).ETag;
  } catch (err) {
    put.body.destroy();
    if (signal?.aborted) throw isAbortError(err) ? err : signal.reason;
    throw body.state.failure === undefined ? err : bodyFailure(body.state.failure);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    body.stream.destroy();
  }
  if (!etag) {
    const head = await client.send(new HeadObjectCommand({ Bucket: put.bucket, Key: put.key }), { abortSignal: signal });
    etag = head.ETag ?? '';
  }
  // Ceph RGW 16 ignores x-amz-tagging on CreateMultipartUpload: a body that went in parts is tagged after
  if (put.tags && Object.keys(put.tags).length > 0 && /-\d+"?$/.test(etag)) {
    const tagging = { TagSet: tagSetOf(put.tags) };
    await client.send(new PutObjectTaggingCommand({ Bucket: put.bucket, Key: put.key, Tagging: tagging }), { abortSignal: signal });
  }
  return { etag, size: body.state.size };
}
