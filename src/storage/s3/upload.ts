/**
 * Streaming uploads with @aws-sdk/lib-storage: a body that fits in one part goes as one PutObject, a larger
 * or unknown-length one as a multipart upload of `partSize` parts, `queueSize` at a time.
 *
 * - All or nothing: when the body fails or the signal aborts, lib-storage aborts the multipart upload and
 *   never completes it, so the key keeps its old version (or stays absent).
 * - The signal also cuts the requests in flight (see `sendingWith`); lib-storage alone would only stop
 *   between parts, and a single PutObject already on the wire could still land after we reported failure.
 * - Ceph RGW 16 answers CompleteMultipartUpload with an empty ETag: then HeadObject has the real one.
 */
import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ServiceError } from '../../errors/codes.js';
import { DEFAULT_CONTENT_TYPE, type PutObjectOptions } from '../types.js';
import { isAbortError } from './errors.js';
import type { S3StoreOptions } from './options.js';

const MAX_PARTS = 10_000;

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

/** Passes the body on while counting its bytes and remembering whether it, not the upload, failed. */
function counted(body: Readable) {
  const state: { size: number; failure?: unknown } = { size: 0 };
  async function* relay() {
    try {
      for await (const chunk of body) {
        const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        state.size += buffer.length;
        yield buffer;
      }
    } catch (err) {
      state.failure = err;
      throw err;
    }
  }
  return { stream: Readable.from(relay(), { objectMode: false }), state };
}

export async function uploadObject(client: S3Client, opts: S3StoreOptions, put: PutObjectOptions): Promise<UploadResult> {
  const { signal } = put;
  signal?.throwIfAborted();
  const body = counted(put.body);
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
    },
  });
  const onAbort = () => void upload.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let etag: string | undefined;
  try {
    etag = (await upload.done()).ETag;
  } catch (err) {
    if (signal?.aborted) throw isAbortError(err) ? err : signal.reason;
    const { failure } = body.state;
    if (failure !== undefined) {
      if (isAbortError(failure)) throw failure;
      throw new ServiceError('IncompleteBody', 'The upload body failed before it was complete; nothing was stored.', {
        cause: failure,
      });
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    body.stream.destroy();
  }
  if (!etag) {
    const head = await client.send(new HeadObjectCommand({ Bucket: put.bucket, Key: put.key }), { abortSignal: signal });
    etag = head.ETag ?? '';
  }
  return { etag, size: body.state.size };
}
