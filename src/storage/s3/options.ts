/** The s3 store's settings and their defaults (the config schema takes its defaults from here). */
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from '../types.js';

/** Where a store writes its few log lines (a pino logger fits); storage imports no logging library. */
export interface StoreLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:9000 for MinIO/RGW; omitted for AWS. */
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** Explicit keys; when absent the SDK's default credential chain (env, profile, instance role) is used. */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** PEM file with extra CA certificates to trust (in addition to the system's). */
  caFile?: string | undefined;
  /** SDK checksum mode; WHEN_REQUIRED keeps streaming uploads working on Ceph RGW and older stores. */
  checksum: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  /** A new connection (TCP, and TLS for https) must be up within this. */
  connectTimeoutMs: number;
  /** Once a request is wholly sent, the head of the answer must come within this (first byte). */
  requestTimeoutMs: number;
  /** While a body moves either way, bytes must move at least this often whenever we are ready for them. */
  idleTimeoutMs: number;
  /** Tries of one backend call, the first included (the SDK's retries; lib-storage retries no part itself). */
  maxAttempts: number;
  /** Multipart part size in bytes (>= 5 MiB) and parts uploaded at once, for lib-storage. */
  partSize: number;
  queueSize: number;
  /**
   * The x-amz-checksum-* algorithms the backend verifies and keeps (AWS: all five; Ceph RGW 16: none, it
   * ignores the headers). A write carrying another is refused with NotImplemented rather than stored unchecked.
   */
  checksums: readonly ChecksumAlgorithm[];
  /** Copies of sources larger than this go as a multipart copy (S3's single CopyObject stops at 5 GiB). */
  copyThreshold: number;
  /**
   * Part size of a multipart copy (raised when the source would need more than 10,000 parts). Each part is
   * one UploadPartCopy whose answer must start within requestTimeoutMs, so parts stay well below what a
   * backend copies in that time.
   */
  copyPartSize: number;
  /** Where the circuit's opening and closing are logged; nowhere when absent. */
  log?: StoreLog | undefined;
}

/**
 * A hung backend (it accepts connections, never answers) fails a call after maxAttempts × requestTimeoutMs,
 * about 10 s (the SDK's pauses between tries are tens of ms); one that refuses or resets fails at once.
 * Nothing bounds a whole transfer: a large part on a slow link takes as long as it needs while bytes move.
 * 5 s to the first byte is far above what a healthy S3 or RGW takes (tens of ms; a PUT's answer waits only
 * for the server's last write, and AWS starts long CopyObject / CompleteMultipartUpload answers at once).
 */
export const S3_STORE_DEFAULTS = {
  region: 'us-east-1',
  forcePathStyle: false,
  checksum: 'WHEN_REQUIRED',
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  maxAttempts: 2,
  partSize: 8 * 1024 * 1024,
  queueSize: 4,
  checksums: CHECKSUM_ALGORITHMS,
  copyThreshold: 5 * 1024 ** 3,
  copyPartSize: 64 * 1024 * 1024,
} as const satisfies Partial<S3StoreOptions>;

/**
 * The circuit (circuit.ts): open after this many calls in a row failed the "backend unreachable" way (each
 * after all its tries), first probe after cooldownMs, doubling after each failed probe up to maxCooldownMs
 * (30 s: also the longest Retry-After the command-line client waits).
 */
export const S3_CIRCUIT = { threshold: 3, cooldownMs: 2_000, maxCooldownMs: 30_000 } as const;
