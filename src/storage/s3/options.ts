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
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Multipart part size in bytes (>= 5 MiB) and parts uploaded at once, for lib-storage. */
  partSize: number;
  queueSize: number;
}

export const S3_STORE_DEFAULTS = {
  region: 'us-east-1',
  forcePathStyle: false,
  checksum: 'WHEN_REQUIRED',
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 120_000,
  maxAttempts: 3,
  partSize: 8 * 1024 * 1024,
  queueSize: 4,
} as const satisfies Partial<S3StoreOptions>;
