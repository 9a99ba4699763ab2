/**
 * CompleteMultipartUpload's x-amz-checksum-<algorithm> headers: the checksum the client expects the object
 * to have, not one of the request's XML body. S3 answers BadDigest when it is not the composite of the
 * listed parts' checksums (with or without its "-N"), or when a part lists none, before anything is assembled.
 */
import { ServiceError } from '../../../../errors/codes.js';
import { compositeChecksum } from '../../../../storage/checksums.js';
import { CHECKSUM_ALGORITHMS, type CompletedPart } from '../../../../storage/types.js';
import { header, type S3Call } from '../context.js';

export async function assertExpectedComposite(call: S3Call, parts: readonly CompletedPart[]): Promise<void> {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const expected = header(call, `x-amz-checksum-${algorithm.toLowerCase()}`)?.trim();
    if (expected === undefined) continue;
    const partValues = parts.map((part) => part.checksums?.[algorithm]);
    // without every part's checksum there is no composite the expected one could match
    if (partValues.some((value) => value === undefined)) {
      throw new ServiceError('BadDigest', `The ${algorithm} you specified cannot match: not every <Part> lists its <Checksum${algorithm}>.`);
    }
    const composite = await compositeChecksum(algorithm, partValues as string[]);
    if (expected !== composite && `${expected}-${parts.length}` !== composite) {
      throw new ServiceError('BadDigest', `The ${algorithm} you specified did not match the checksum of the parts.`);
    }
  }
}
