/**
 * The configuration schema: every setting, its type and its default, in one place.
 * Values from the environment and flags arrive as strings; the schema coerces them.
 */
import { z } from 'zod';
import { S3_STORE_DEFAULTS } from '../storage/s3/options.js';
import { authSchema } from './auth.js';
import { fsShape } from './fs.js';
import { opsShape } from './ops.js';
import { linksSchema } from './links.js';
import { networkShape } from './network.js';
import { s3apiShape } from './s3api.js';
import { sseShape } from './sse.js';
import { CHECKSUM_ALGORITHMS } from '../storage/types.js';
import { bool, int, list, size } from './fields.js';

const s3Schema = z
  .object({
    endpoint: z.url().optional().describe('the S3 endpoint URL (e.g. http://127.0.0.1:9000); unset: AWS'),
    region: z.string().min(1).default(S3_STORE_DEFAULTS.region).describe('the S3 region'),
    forcePathStyle: bool.default(S3_STORE_DEFAULTS.forcePathStyle).describe('address buckets in the path, not the host name (MinIO, RGW)'),
    accessKeyId: z.string().min(1).optional().describe("the S3 access key id; unset: the AWS SDK's default credential chain"),
    secretAccessKey: z.string().min(1).optional().describe('the S3 secret access key (with the access key id)'),
    sessionToken: z.string().min(1).optional().describe('an S3 session token, for temporary credentials'),
    caFile: z.string().min(1).optional().describe("a PEM file of CA certificates trusted beside the system's, for the S3 endpoint"),
    checksum: z.enum(['WHEN_REQUIRED', 'WHEN_SUPPORTED']).default(S3_STORE_DEFAULTS.checksum).describe('when uploads to S3 carry checksums: WHEN_REQUIRED or WHEN_SUPPORTED'),
    connectTimeoutMs: int(1, 600_000).default(S3_STORE_DEFAULTS.connectTimeoutMs).describe('a new connection to the S3 backend must be up within this (ms)'),
    requestTimeoutMs: int(1, 3_600_000).default(S3_STORE_DEFAULTS.requestTimeoutMs).describe("once a request is sent, the S3 backend's answer must start within this (ms)"),
    idleTimeoutMs: int(1, 3_600_000).default(S3_STORE_DEFAULTS.idleTimeoutMs).describe('while a body moves to or from the S3 backend, bytes must move at least this often (ms)'),
    maxAttempts: int(1, 20).default(S3_STORE_DEFAULTS.maxAttempts).describe('tries of one S3 backend call, the first included'),
    partSize: size.default(S3_STORE_DEFAULTS.partSize).describe('part size of multipart uploads to S3 (at least 5 MiB)'),
    queueSize: int(1, 64).default(S3_STORE_DEFAULTS.queueSize).describe('parts of one upload sent to S3 at once'),
    checksums: list.transform((names) => names.filter((name) => name !== 'none')).pipe(z.array(z.enum(CHECKSUM_ALGORITHMS))).default([...S3_STORE_DEFAULTS.checksums]).describe('x-amz-checksum-* algorithms the S3 backend verifies and keeps, comma-separated, or none (Ceph RGW 16)'),
    copyThreshold: size.default(S3_STORE_DEFAULTS.copyThreshold).describe('copies of larger objects go as multipart copies (at most 5 GiB)'),
    copyPartSize: size.default(S3_STORE_DEFAULTS.copyPartSize).describe('part size of multipart copies (5 MiB to 5 GiB)'),
  })
  .strict()
  .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey go together: set both or neither',
  })
  .refine((s) => s.partSize >= 5 * 1024 * 1024, { message: 'partSize must be at least 5 MiB (S3 minimum)', path: ['partSize'] })
  .refine((s) => s.copyThreshold <= 5 * 1024 ** 3, { message: 'copyThreshold must be at most 5 GiB (the largest single copy)', path: ['copyThreshold'] })
  .refine((s) => s.copyPartSize >= 5 * 1024 * 1024 && s.copyPartSize <= 5 * 1024 ** 3, { message: 'copyPartSize must be from 5 MiB to 5 GiB', path: ['copyPartSize'] });

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('address to listen on'),
    port: int(0, 65535).default(9090).describe('port to listen on'),
    store: z.enum(['fs', 's3']).default('fs').describe('fs (local disk) or s3 (an S3-compatible store)'),
    dataDir: z.string().min(1).default('./data').describe("the fs store's folder"),
    /** 5 GiB by default: the S3 single-PUT limit. */
    maxObjectSize: size.default(5 * 1024 ** 3).describe('largest object accepted (bytes, or 500MB, 5GiB)'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('fatal, error, warn, info, debug, trace or silent'),
    /** Listening beyond loopback without access keys must be asked for explicitly. */
    allowAnonymous: bool.default(false).describe('listen beyond loopback without access keys (anyone may do anything)'),
    shutdownTimeoutMs: int(0, 3_600_000).default(30_000).describe('how long SIGTERM waits for in-flight requests before closing them (ms)'),
    s3: s3Schema.prefault({}),
    links: linksSchema.prefault({}),
    /** Access keys; none: an open service, kept on loopback by protected mode. */
    auth: authSchema.prefault({}),
    ...fsShape,
    ...opsShape,
    ...networkShape,
    ...s3apiShape,
    ...sseShape,
  })
  .strict();

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
