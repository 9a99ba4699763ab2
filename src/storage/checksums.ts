/**
 * The flexible checksums of S3 (x-amz-checksum-*): computed while a body streams, compared with what the client
 * announced, and combined into a multipart object's composite. CRC32 is Node's own (zlib.crc32), CRC32C comes
 * from @node-rs/crc32 (native, ~4 GB/s here, where pure-JS versions run ~50 MB/s), CRC64NVME from AWS's own
 * package, SHA-1 and SHA-256 from node:crypto.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { ServiceError } from '../errors/codes.js';
import { CHECKSUM_ALGORITHMS, type BodyIntegrity, type ChecksumAlgorithm, type Checksums } from './types.js';

// Loaded at first use, not at start: together they add ~14 MB to the resident size of a process that may
// never see a CRC32C or CRC64NVME upload. require() keeps the first use synchronous, as digests are.
const load = createRequire(import.meta.url);
let crc32cPackage: typeof import('@node-rs/crc32') | undefined;
let crc64Package: typeof import('@aws-sdk/crc64-nvme') | undefined;
const crc32cLib = () => (crc32cPackage ??= load('@node-rs/crc32') as typeof import('@node-rs/crc32'));
const crc64Lib = () => (crc64Package ??= load('@aws-sdk/crc64-nvme') as typeof import('@aws-sdk/crc64-nvme'));

/** A running digest of one algorithm. */
interface Digest {
  update(chunk: Uint8Array): void;
  /** The binary digest. */
  finish(): Promise<Buffer>;
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function crc32(): Digest {
  let value = 0;
  return {
    update: (chunk) => (value = zlib.crc32(chunk, value)),
    finish: async () => uint32(value),
  };
}

function crc32c(): Digest {
  const { crc32c: update } = crc32cLib();
  let value = 0;
  return {
    update: (chunk) => (value = update(chunk, value)),
    finish: async () => uint32(value),
  };
}

function crc64nvme(): Digest {
  const hash = new (crc64Lib().Crc64Nvme)();
  return {
    update: (chunk) => hash.update(chunk),
    finish: async () => Buffer.from(await hash.digest()),
  };
}

function sha(name: 'sha1' | 'sha256'): Digest {
  const hash = createHash(name);
  return {
    update: (chunk) => void hash.update(chunk),
    finish: async () => hash.digest(),
  };
}

const DIGESTS: Record<ChecksumAlgorithm, () => Digest> = {
  CRC32: crc32,
  CRC32C: crc32c,
  CRC64NVME: crc64nvme,
  SHA1: () => sha('sha1'),
  SHA256: () => sha('sha256'),
};

/** Length in bytes of each algorithm's digest: a value of another length is malformed. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

/** Throws InvalidDigest unless `value` is the base64 of a digest of the algorithm's length. */
export function checkChecksumValue(algorithm: ChecksumAlgorithm, value: string): void {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== DIGEST_BYTES[algorithm] || bytes.toString('base64') !== value) {
    throw new ServiceError('InvalidDigest', `The ${algorithm} checksum you specified is not a valid base64 digest.`);
  }
}

/** The algorithms a write must compute: those given a value, and the one asked for. */
export function wantedAlgorithms(integrity: BodyIntegrity): ChecksumAlgorithm[] {
  const wanted = new Set<ChecksumAlgorithm>();
  for (const algorithm of CHECKSUM_ALGORITHMS) if (integrity.checksums?.[algorithm] !== undefined) wanted.add(algorithm);
  if (integrity.checksumAlgorithm) wanted.add(integrity.checksumAlgorithm);
  return [...wanted];
}

/** Computes several digests over the same bytes, fed chunk by chunk. */
export class ChecksumSet {
  private readonly digests: [ChecksumAlgorithm, Digest][];

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.digests = algorithms.map((algorithm) => [algorithm, DIGESTS[algorithm]()]);
  }

  update(chunk: Uint8Array): void {
    for (const [, digest] of this.digests) digest.update(chunk);
  }

  /** The base64 digests, by algorithm. */
  async finish(): Promise<Checksums> {
    const out: Checksums = {};
    for (const [algorithm, digest] of this.digests) out[algorithm] = (await digest.finish()).toString('base64');
    return out;
  }
}

/** Throws BadDigest when a computed checksum differs from the one the client announced. */
export function verifyChecksums(announced: Checksums | undefined, computed: Checksums): void {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const expected = announced?.[algorithm];
    if (expected !== undefined && expected !== computed[algorithm]) {
      throw new ServiceError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
    }
  }
}

/**
 * A multipart object's checksum as S3 reports it: the digest of the parts' binary digests, concatenated in
 * part order, then "-N".
 */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partValues: readonly string[]): Promise<string> {
  const digest = DIGESTS[algorithm]();
  for (const value of partValues) digest.update(Buffer.from(value, 'base64'));
  return `${(await digest.finish()).toString('base64')}-${partValues.length}`;
}
