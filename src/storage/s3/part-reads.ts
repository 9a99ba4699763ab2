/**
 * Reads of one part (partNumber) on a backend that may not know them: Ceph RGW 16 ignores partNumber and
 * serves the whole object, without PartsCount or Content-Range. Part 1 of a single-part object is the
 * whole object, so that answer is right for it; for a multipart object it would be wrong bytes, refused.
 */
import { ServiceError } from '../../errors/codes.js';

interface PartAnswer {
  ETag?: string | undefined;
  PartsCount?: number | undefined;
  ContentRange?: string | undefined;
}

/** How many parts the ETag says the object has ("<hex>-N"); 1 for a single-part ETag. */
function partsInEtag(etag: string | undefined): number {
  const match = /-(\d+)"?$/.exec(etag ?? '');
  return match ? Number(match[1]) : 1;
}

/** Throws unless the answer to a read of part `partNumber` holds that part's bytes. */
export function checkPartServed(partNumber: number | undefined, answer: PartAnswer): void {
  if (partNumber === undefined || answer.PartsCount !== undefined || answer.ContentRange !== undefined) return;
  if (partsInEtag(answer.ETag) > 1) {
    throw new ServiceError('NotImplemented', 'The S3 backend does not serve single parts of a multipart object (partNumber).');
  }
  if (partNumber > 1) throw new ServiceError('InvalidRange', `The object has one part; part ${partNumber} does not exist.`);
}
