/**
 * The small XML document of a request (DeleteObjects, PutObjectTagging, PutObjectAcl): decoded as its
 * signature says (aws-chunked, SHA-256), bounded, and checked against the Content-MD5 and x-amz-checksum-*
 * it announces. S3 requires one of them for some operations, so that a document damaged on the way
 * (a delete naming other keys) is refused rather than obeyed.
 */
import { createHash } from 'node:crypto';
import { ServiceError } from '../../../../errors/codes.js';
import { ChecksumSet, verifyChecksums } from '../../../../storage/checksums.js';
import { CHECKSUM_ALGORITHMS } from '../../../../storage/types.js';
import { contentMd5Of } from '../../../objects/metadata.js';
import { header, type S3Call } from '../context.js';
import { incomingPayload } from '../payload.js';
import { MAX_XML_BODY } from '../xml.js';
import { announcedChecksums } from './common.js';

/**
 * `checksumHeadersOfBody: false` for an operation whose x-amz-checksum-* headers are about something else
 * (CompleteMultipartUpload's are the object's).
 */
export async function readDocument(call: S3Call, { integrityRequired = false, checksumHeadersOfBody = true } = {}): Promise<string> {
  const contentMd5 = contentMd5Of(header(call, 'content-md5'));
  const announced = checksumHeadersOfBody ? announcedChecksums(call) : undefined;
  const payload = incomingPayload(call.request, MAX_XML_BODY);
  // a trailing checksum is checked by the chunked decoder as the body ends
  if (integrityRequired && contentMd5 === undefined && announced === undefined && payload.trailerChecksum === undefined) {
    payload.body.resume();
    throw new ServiceError('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  const md5 = createHash('md5');
  const digests = new ChecksumSet(CHECKSUM_ALGORITHMS.filter((name) => announced?.[name] !== undefined));
  const chunks: Buffer[] = [];
  for await (const chunk of payload.body as AsyncIterable<Buffer>) {
    md5.update(chunk);
    digests.update(chunk);
    chunks.push(chunk);
  }
  if (contentMd5 !== undefined && md5.digest('base64') !== contentMd5) {
    throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  verifyChecksums(announced, await digests.finish());
  return Buffer.concat(chunks).toString('utf8');
}
