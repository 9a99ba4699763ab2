/**
 * Settings of the S3-compatible listener: on by default at 127.0.0.1:9000, beside the main one, serving the
 * same store with the same keys. Spread into the main schema (schema.ts) and the environment table (load.ts).
 */
import { z } from 'zod';
import { bool, int } from './fields.js';

export const S3API_ENV_SETTINGS: Readonly<Record<string, string>> = {
  S3GATE_S3API: 's3api.enabled',
  S3GATE_S3API_HOST: 's3api.host',
  S3GATE_S3API_PORT: 's3api.port',
  S3GATE_S3API_DOMAIN: 's3api.domain',
  S3GATE_S3API_REGION: 's3api.region',
};

/** A DNS name of labels (letters, digits, hyphens) joined by dots. */
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const s3apiSchema = z
  .object({
    enabled: bool.default(true).describe('serve the S3-compatible API on its own listener (false: not at all)'),
    host: z.string().min(1).default('127.0.0.1').describe("the S3 listener's address"),
    port: int(0, 65535).default(9000).describe("the S3 listener's port"),
    /** Virtual-hosted-style requests name their bucket in front of it: `bucket.s3.localhost:9000`. */
    domain: z.string().toLowerCase().regex(DOMAIN, 'a DNS name such as s3.localhost').default('s3.localhost').describe('base domain of virtual-hosted-style addresses (bucket.<domain>)'),
    /** The region clients sign for and GetBucketLocation answers. */
    region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'letters, digits and hyphens, as us-east-1').default('us-east-1').describe('the region S3 clients sign for'),
  })
  .strict();

export const s3apiShape = {
  s3api: s3apiSchema.prefault({}),
};
