/**
 * What a write of the fs store does with a body's integrity (types.ts BodyIntegrity): the digests to compute
 * while it streams (only those asked for or announced: each costs CPU on every byte), and the checks once it
 * is written. Also how checksums and tags are kept in a row (JSON, or NULL for none).
 */
import { checkChecksumValue, ChecksumSet, verifyChecksums, wantedAlgorithms } from '../checksums.js';
import { checkContentMd5 } from '../preconditions.js';
import { CHECKSUM_ALGORITHMS, type BodyIntegrity, type ChecksumAlgorithm, type Checksums, type Tags } from '../types.js';

/** The digests to feed with the body, or undefined for none; InvalidDigest for a malformed announced value. */
export function digestsFor(integrity: BodyIntegrity, also?: ChecksumAlgorithm | undefined): ChecksumSet | undefined {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = integrity.checksums?.[algorithm];
    if (value !== undefined) checkChecksumValue(algorithm, value);
  }
  const wanted = wantedAlgorithms(integrity);
  if (also && !wanted.includes(also)) wanted.push(also);
  return wanted.length > 0 ? new ChecksumSet(wanted) : undefined;
}

/** BadDigest unless the body written had the MD5 and the checksums announced; returns the checksums computed. */
export async function checkBody(integrity: BodyIntegrity, md5Hex: string, digests: ChecksumSet | undefined): Promise<Checksums | undefined> {
  checkContentMd5(integrity.contentMd5, md5Hex);
  if (!digests) return undefined;
  const computed = await digests.finish();
  verifyChecksums(integrity.checksums, computed);
  return computed;
}

/** A JSON column of string pairs: NULL for none. */
export function toColumn(pairs: Checksums | Tags | undefined | null): string | null {
  return pairs && Object.keys(pairs).length > 0 ? JSON.stringify(pairs) : null;
}

export function fromColumn<T extends Checksums | Tags>(column: string | null): T | undefined {
  return column === null ? undefined : (JSON.parse(column) as T);
}
