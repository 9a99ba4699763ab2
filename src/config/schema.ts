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
import { bool, int, size } from './fields.js';

const s3Schema = z
  .object({
    endpoint: z.url().optional(),
    region: z.string().min(1).default(S3_STORE_DEFAULTS.region),
    forcePathStyle: bool.default(S3_STORE_DEFAULTS.forcePathStyle),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
    caFile: z.string().min(1).optional(),
    checksum: z.enum(['WHEN_REQUIRED', 'WHEN_SUPPORTED']).default(S3_STORE_DEFAULTS.checksum),
    connectTimeoutMs: int(1, 600_000).default(S3_STORE_DEFAULTS.connectTimeoutMs),
    requestTimeoutMs: int(1, 3_600_000).default(S3_STORE_DEFAULTS.requestTimeoutMs),
    maxAttempts: int(1, 20).default(S3_STORE_DEFAULTS.maxAttempts),
    partSize: size.default(S3_STORE_DEFAULTS.partSize),
    queueSize: int(1, 64).default(S3_STORE_DEFAULTS.queueSize),
  })
  .strict()
  .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey go together: set both or neither',
  })
  .refine((s) => s.partSize >= 5 * 1024 * 1024, { message: 'partSize must be at least 5 MiB (S3 minimum)', path: ['partSize'] });

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
    /** Access keys (DESIGN.md §4); none: an open service, kept on loopback by protected mode. */
    auth: authSchema.prefault({}),
    ...fsShape,
    ...opsShape,
    ...networkShape,
  })
  .strict();

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
