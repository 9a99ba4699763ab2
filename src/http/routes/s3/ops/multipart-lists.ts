/** The listings of multipart uploads: ListParts (of one upload) and ListMultipartUploads (of a bucket). */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { MAX_LIST_KEYS } from '../../../../storage/types.js';
import type { S3Call } from '../context.js';
import type { S3Operation } from '../operation.js';
import { sendXml } from '../xml.js';
import { checksumElements, isoDate, owner } from './common.js';

/** The upload a call names in ?uploadId (the store answers NoSuchUpload for one it does not have). */
export const uploadIdOf = (call: S3Call): string => call.query.get('uploadId') ?? '';

/** A whole number from the query, or undefined when absent. */
function countOf(call: S3Call, name: string): number | undefined {
  const value = call.query.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new ServiceError('InvalidArgument', `${name} must be a whole number; "${value}" is not.`);
  return Number(value);
}

/** max-parts / max-uploads: from 1; S3 serves at most 1,000 however many are asked for. */
function pageSizeOf(call: S3Call, name: string): number {
  const asked = countOf(call, name) ?? MAX_LIST_KEYS;
  if (asked < 1) throw new ServiceError('InvalidArgument', `${name} must be at least 1.`);
  return Math.min(asked, MAX_LIST_KEYS);
}

/** With encoding-type=url, keys and prefixes are sent percent-encoded (XML cannot carry every character). */
function encoderOf(call: S3Call): { encode: (text: string) => string; encodingType: 'url' | undefined } {
  const type = call.query.get('encoding-type');
  if (type === null) return { encode: (text) => text, encodingType: undefined };
  if (type !== 'url') throw new ServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request: only "url" is.');
  return { encode: encodeURIComponent, encodingType: 'url' };
}

const optional = (value: string | null): string | undefined => (value === null ? undefined : value);

export const MULTIPART_LIST_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'ListParts',
    method: 'GET',
    target: 'object',
    query: 'uploadId',
    async handle(call) {
      const { bucket, key } = call;
      assertAllowed(call.request, 'write', bucket, key);
      const uploadId = uploadIdOf(call);
      const maxParts = pageSizeOf(call, 'max-parts');
      const partNumberMarker = countOf(call, 'part-number-marker');
      const page = await call.store.listParts({ bucket, key, uploadId, maxParts, partNumberMarker, signal: call.signal });
      const parts = page.parts.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: isoDate(part.lastModified),
        ETag: part.etag,
        Size: part.size,
        ...checksumElements(part.checksums),
      }));
      return sendXml(call.reply, 'ListPartsResult', {
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: partNumberMarker ?? 0,
        NextPartNumberMarker: page.nextPartNumberMarker ?? page.parts.at(-1)?.partNumber ?? partNumberMarker ?? 0,
        MaxParts: maxParts,
        IsTruncated: page.isTruncated,
        Part: parts,
        Initiator: owner(call),
        Owner: owner(call),
        StorageClass: 'STANDARD',
        ChecksumAlgorithm: page.checksumAlgorithm,
      });
    },
  },
  {
    name: 'ListMultipartUploads',
    method: 'GET',
    target: 'bucket',
    query: 'uploads',
    async handle(call) {
      const { bucket, query } = call;
      const prefix = optional(query.get('prefix'));
      assertAllowed(call.request, 'list', bucket, prefix ?? '');
      const { encode, encodingType } = encoderOf(call);
      const delimiter = optional(query.get('delimiter'));
      const keyMarker = optional(query.get('key-marker'));
      // S3 reads upload-id-marker only with a key-marker
      const uploadIdMarker = keyMarker === undefined ? undefined : optional(query.get('upload-id-marker'));
      const maxUploads = pageSizeOf(call, 'max-uploads');
      const page = await call.store.listMultipartUploads({ bucket, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads, signal: call.signal });
      const uploads = page.uploads.map((upload) => ({
        Key: encode(upload.key),
        UploadId: upload.uploadId,
        Initiator: owner(call),
        Owner: owner(call),
        StorageClass: 'STANDARD',
        Initiated: isoDate(upload.initiated),
      }));
      return sendXml(call.reply, 'ListMultipartUploadsResult', {
        Bucket: bucket,
        KeyMarker: encode(keyMarker ?? ''),
        UploadIdMarker: uploadIdMarker ?? '',
        NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
        NextUploadIdMarker: page.nextUploadIdMarker,
        Delimiter: delimiter === undefined ? undefined : encode(delimiter),
        Prefix: encode(prefix ?? ''),
        MaxUploads: maxUploads,
        IsTruncated: page.isTruncated,
        Upload: uploads,
        CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
        EncodingType: encodingType,
      });
    },
  },
];
