/**
 * What the store's helpers (multipart.ts, copy.ts) need of it: the client, and the one way to make a backend
 * call (through the circuit, failures turned into ServiceErrors; see store.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ErrorContext } from './errors.js';
import type { ChecksumAlgorithm } from '../types.js';

export interface Backend {
  readonly client: S3Client;
  run<T>(ctx: ErrorContext, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T>;
  /** The algorithms the backend keeps (the store's capabilities). */
  readonly checksums: readonly ChecksumAlgorithm[];
}
