/** CopyObject: PUT with x-amz-copy-source, the store copying the bytes without them passing through here. */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { header, type ObjectCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { encryptionHeaders, requestedEncryption, sourceKeyOf } from '../sse.js';
import { sendXml } from '../xml.js';
import { askedAlgorithm, assertOwnerOnlyAcl, checksumElements, isoDate, objectHeadersOf, tagsFromHeader, writeConditions } from './common.js';
import { readableCopySource, sourceConditionsOf } from './copy-source.js';

type Directive = 'COPY' | 'REPLACE';

/** x-amz-metadata-directive or x-amz-tagging-directive: COPY (the default) or REPLACE. */
function directiveOf(call: ObjectCall, name: string, what: string): Directive | undefined {
  const value = header(call, name)?.trim();
  if (value === undefined) return undefined;
  if (value !== 'COPY' && value !== 'REPLACE') throw new ServiceError('InvalidArgument', `Unknown ${what} directive "${value}": use COPY or REPLACE.`);
  return value;
}

export const COPY_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'CopyObject',
    method: 'PUT',
    target: 'object',
    header: 'x-amz-copy-source',
    async handle(call) {
      const { request, store, bucket, key } = call;
      const source = readableCopySource(call);
      assertAllowed(request, 'write', bucket, key);
      assertOwnerOnlyAcl(call);
      const metadataDirective = directiveOf(call, 'x-amz-metadata-directive', 'metadata');
      const taggingDirective = directiveOf(call, 'x-amz-tagging-directive', 'tagging');
      // a copy onto itself with COPY changes nothing: the store refuses it, as S3 does
      const meta = await store.copyObject({
        bucket,
        key,
        sourceBucket: source.bucket,
        sourceKey: source.key,
        sourceConditions: sourceConditionsOf(call),
        metadataDirective,
        // with COPY the store keeps the source's headers and metadata
        headers: metadataDirective === 'REPLACE' ? objectHeadersOf(call) : undefined,
        taggingDirective,
        tags: taggingDirective === 'REPLACE' ? tagsFromHeader(header(call, 'x-amz-tagging')) : undefined,
        checksumAlgorithm: askedAlgorithm(call),
        encryption: requestedEncryption(call),
        sourceCustomerKey: sourceKeyOf(call),
        ...(await writeConditions(call)),
        signal: call.signal,
      });
      call.reply.headers(encryptionHeaders(meta.encryption));
      return sendXml(call.reply, 'CopyObjectResult', { ETag: meta.etag, LastModified: isoDate(meta.lastModified), ...checksumElements(meta.checksums) });
    },
  },
];
