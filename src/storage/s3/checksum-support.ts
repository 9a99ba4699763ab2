/** The one refusal of a checksum the backend would not verify nor keep (see options.ts, `checksums`). */
import { ServiceError } from '../../errors/codes.js';
import { wantedAlgorithms } from '../checksums.js';
import type { BodyIntegrity, ChecksumAlgorithm } from '../types.js';

/** Throws NotImplemented when the write names an algorithm outside `supported`. */
export function assertChecksumsSupported(supported: readonly ChecksumAlgorithm[], integrity: BodyIntegrity): void {
  const refused = wantedAlgorithms(integrity).filter((algorithm) => !supported.includes(algorithm));
  if (refused.length > 0) {
    const kept = supported.length > 0 ? supported.join(', ') : 'none';
    throw new ServiceError('NotImplemented', `The S3 backend does not keep ${refused.join(', ')} checksums (it keeps: ${kept}).`);
  }
}
