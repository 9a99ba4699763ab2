/** S3's ETag of a multipart object, for the stores and the faces alike. */
import { createHash } from 'node:crypto';

/** The MD5 of the parts' binary MD5s (given as hex, in order), then "-N", quoted. */
export function multipartEtag(partMd5Hexes: readonly string[]): string {
  const hash = createHash('md5');
  for (const hex of partMd5Hexes) hash.update(Buffer.from(hex, 'hex'));
  return `"${hash.digest('hex')}-${partMd5Hexes.length}"`;
}
