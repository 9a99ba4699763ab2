/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload and
 * AbortMultipartUpload (the listings are in multipart-lists.ts). The store keeps the upload and checks
 * S3's rules on completion (part order, ETags, part sizes); here the requests are read and answered.
 * Every call on an upload needs 'write' on its key, as writing the object would.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { isServiceError, ServiceError } from '../../../../errors/codes.js';
import { CHECKSUM_ALGORITHMS, MAX_PART_SIZE, MAX_PARTS, type ChecksumAlgorithm, type Checksums, type CompletedPart, type ObjectMeta } from '../../../../storage/types.js';
import { contentMd5Of } from '../../../objects/metadata.js';
import { header, type ObjectCall, type S3Call } from '../context.js';
import type { S3Operation } from '../operation.js';
import { incomingPayload } from '../payload.js';
import { encryptionHeaders, requestedEncryption, sourceKeyOf, uploadKeyOf } from '../sse.js';
import { childrenOf, listOf, parseXml, sendXml, textOf, type XmlNode } from '../xml.js';
import { multipartEtag } from '../../../../storage/multipart-etag.js';
import { assertExpectedComposite } from './complete-checksum.js';
import { readDocument } from './request-document.js';
import { announcedChecksums, askedAlgorithm, assertOwnerOnlyAcl, checksumElements, checksumHeaders, integrityFor, isoDate, objectHeadersOf, tagsFromHeader, writeConditions } from './common.js';
import { copySourceRange, readableCopySource, sourceConditionsOf } from './copy-source.js';
import { MULTIPART_LIST_OPERATIONS, uploadIdOf } from './multipart-lists.js';

const keeps = (call: S3Call, algorithm: ChecksumAlgorithm) => call.store.capabilities.checksums.includes(algorithm);

function partNumberOf(call: ObjectCall): number {
  const value = call.query.get('partNumber') ?? '';
  const number = /^\d{1,5}$/.test(value) ? Number(value) : 0;
  if (number < 1 || number > MAX_PARTS) throw new ServiceError('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive.`);
  return number;
}

/**
 * The algorithm the object's checksum is to be made with, when the store keeps it. One it does not keep is
 * dropped, as for PutObject: the parts' checksums are then still checked here, just not kept.
 */
function uploadAlgorithm(call: ObjectCall): ChecksumAlgorithm | undefined {
  const type = header(call, 'x-amz-checksum-type')?.toUpperCase();
  if (type === 'FULL_OBJECT') throw new ServiceError('NotImplemented', 'Multipart objects keep COMPOSITE checksums only, made of the checksums of their parts.');
  if (type !== undefined && type !== 'COMPOSITE') throw new ServiceError('InvalidRequest', `The checksum type ${type} is not COMPOSITE or FULL_OBJECT.`);
  const algorithm = askedAlgorithm(call);
  return algorithm !== undefined && keeps(call, algorithm) ? algorithm : undefined;
}

/** S3 needs a part's length up front: Content-Length, or x-amz-decoded-content-length for an aws-chunked body. */
function assertLengthGiven(call: ObjectCall): void {
  if (header(call, 'content-length') === undefined && header(call, 'x-amz-decoded-content-length') === undefined) {
    throw new ServiceError('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
}

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema.';

/** One <Part> of a completion: PartNumber and ETag, and the checksums of the algorithms the store keeps. */
function completedPart(call: S3Call, node: XmlNode): CompletedPart {
  const part = childrenOf(node);
  const number = textOf(part['PartNumber'])?.trim();
  const etag = textOf(part['ETag'])?.trim();
  if (number === undefined || !/^\d{1,9}$/.test(number) || etag === undefined || etag === '') throw new ServiceError('MalformedXML', MALFORMED);
  const checksums: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = textOf(part[`Checksum${algorithm}`])?.trim();
    if (value !== undefined && keeps(call, algorithm)) checksums[algorithm] = value;
  }
  return { partNumber: Number(number), etag, checksums: Object.keys(checksums).length > 0 ? checksums : undefined };
}

/** The parts a CompleteMultipartUpload lists, read bounded (and checked as its signature says). */
async function completedParts(call: ObjectCall): Promise<CompletedPart[]> {
  const document = await readDocument(call, { checksumHeadersOfBody: false });
  const parts = listOf(parseXml(document, 'CompleteMultipartUpload')['Part']);
  // S3's schema wants at least one part
  if (parts.length === 0) throw new ServiceError('MalformedXML', MALFORMED);
  const completed = parts.map((node) => completedPart(call, node));
  await assertExpectedComposite(call, completed);
  return completed;
}

/** The ETag S3 gives the object these parts make: the MD5 of their binary MD5s, then "-N" (undefined for other ETags). */
function etagOfParts(parts: readonly CompletedPart[]): string | undefined {
  const hexes: string[] = [];
  for (const part of parts) {
    const hex = /^"?([0-9a-f]{32})"?$/i.exec(part.etag)?.[1];
    if (hex === undefined) return undefined;
    hexes.push(hex);
  }
  return multipartEtag(hexes);
}

/**
 * A completion sent again after it succeeded (a client retrying one whose answer it lost): the upload is
 * gone, but while the key's object is still the one these parts made, S3 answers it as it did the first time.
 */
async function completedBefore(call: ObjectCall, parts: readonly CompletedPart[]): Promise<ObjectMeta | undefined> {
  const etag = etagOfParts(parts);
  if (etag === undefined) return undefined;
  try {
    const current = await call.store.headObject({ bucket: call.bucket, key: call.key, customerKey: uploadKeyOf(call), signal: call.signal });
    return current.etag === etag ? current : undefined;
  } catch (err) {
    if (isServiceError(err) && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** The object's address as the request named it (path- or virtual-hosted-style). */
function locationOf(call: ObjectCall): string {
  const url = call.request.url;
  const q = url.indexOf('?');
  return `${call.request.protocol}://${call.request.headers.host ?? ''}${q < 0 ? url : url.slice(0, q)}`;
}

export const MULTIPART_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'CreateMultipartUpload',
    method: 'POST',
    target: 'object',
    query: 'uploads',
    async handle(call) {
      const { request, bucket, key } = call;
      assertAllowed(request, 'write', bucket, key);
      assertOwnerOnlyAcl(call);
      const checksumAlgorithm = uploadAlgorithm(call);
      const { uploadId, encryption } = await call.store.createMultipartUpload({
        bucket,
        key,
        ...objectHeadersOf(call),
        tags: tagsFromHeader(header(call, 'x-amz-tagging')),
        checksumAlgorithm,
        encryption: requestedEncryption(call),
        signal: call.signal,
      });
      call.reply.headers(encryptionHeaders(encryption));
      if (checksumAlgorithm) call.reply.headers({ 'x-amz-checksum-algorithm': checksumAlgorithm, 'x-amz-checksum-type': 'COMPOSITE' });
      return sendXml(call.reply, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
    },
  },
  {
    // before UploadPart, which has the same query
    name: 'UploadPartCopy',
    method: 'PUT',
    target: 'object',
    query: 'uploadId',
    header: 'x-amz-copy-source',
    async handle(call) {
      const source = readableCopySource(call);
      assertAllowed(call.request, 'write', call.bucket, call.key);
      const part = await call.store.uploadPartCopy({
        bucket: call.bucket,
        key: call.key,
        uploadId: uploadIdOf(call),
        partNumber: partNumberOf(call),
        sourceBucket: source.bucket,
        sourceKey: source.key,
        sourceRange: copySourceRange(call),
        sourceConditions: sourceConditionsOf(call),
        sourceCustomerKey: sourceKeyOf(call),
        customerKey: uploadKeyOf(call),
        signal: call.signal,
      });
      call.reply.headers(encryptionHeaders(part.encryption));
      return sendXml(call.reply, 'CopyPartResult', { ETag: part.etag, LastModified: isoDate(part.lastModified), ...checksumElements(part.checksums) });
    },
  },
  {
    name: 'UploadPart',
    method: 'PUT',
    target: 'object',
    query: 'uploadId',
    async handle(call) {
      const { request, store } = call;
      assertAllowed(request, 'write', call.bucket, call.key);
      const partNumber = partNumberOf(call);
      assertLengthGiven(call);
      const payload = incomingPayload(request, Math.min(MAX_PART_SIZE, call.options.maxObjectSize));
      const integrity = integrityFor(store, payload.body, announcedChecksums(call), payload.trailerChecksum ?? askedAlgorithm(call));
      const part = await store.uploadPart({
        bucket: call.bucket,
        key: call.key,
        uploadId: uploadIdOf(call),
        partNumber,
        contentLength: payload.contentLength,
        contentMd5: contentMd5Of(header(call, 'content-md5')),
        ...integrity,
        body: integrity.body,
        customerKey: uploadKeyOf(call),
        signal: call.signal,
      });
      return call.reply.headers({ etag: part.etag, ...checksumHeaders(part.checksums), ...encryptionHeaders(part.encryption) }).send();
    },
  },
  {
    name: 'CompleteMultipartUpload',
    method: 'POST',
    target: 'object',
    query: 'uploadId',
    async handle(call) {
      const { bucket, key } = call;
      assertAllowed(call.request, 'write', bucket, key);
      const parts = await completedParts(call);
      const uploadId = uploadIdOf(call);
      let meta: ObjectMeta;
      try {
        const customerKey = uploadKeyOf(call);
        meta = await call.store.completeMultipartUpload({ bucket, key, uploadId, parts, customerKey, ...(await writeConditions(call)), signal: call.signal });
      } catch (err) {
        const before = isServiceError(err) && err.code === 'NoSuchUpload' ? await completedBefore(call, parts) : undefined;
        if (before === undefined) throw err;
        meta = before;
      }
      call.reply.headers(encryptionHeaders(meta.encryption));
      return sendXml(call.reply, 'CompleteMultipartUploadResult', {
        Location: locationOf(call),
        Bucket: bucket,
        Key: key,
        ETag: meta.etag,
        ...checksumElements(meta.checksums),
      });
    },
  },
  {
    name: 'AbortMultipartUpload',
    method: 'DELETE',
    target: 'object',
    query: 'uploadId',
    async handle(call) {
      // 'write', not 'delete': an abort discards what the caller was writing, no object
      assertAllowed(call.request, 'write', call.bucket, call.key);
      await call.store.abortMultipartUpload({ bucket: call.bucket, key: call.key, uploadId: uploadIdOf(call), signal: call.signal });
      return call.reply.code(204).send();
    },
  },
  ...MULTIPART_LIST_OPERATIONS,
];
