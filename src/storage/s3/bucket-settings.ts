/** A bucket's CORS rules and tags on the backend's own APIs (Put/Get/DeleteBucketCors, ...BucketTagging). */
import {
  DeleteBucketCorsCommand,
  DeleteBucketTaggingCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { noTagSet } from '../../errors/not-found.js';
import { CORS_METHODS, type BucketCorsOptions, type BucketOptions, type BucketTaggingOptions, type CorsMethod, type CorsRule, type Tags } from '../types.js';
import type { Backend } from './backend.js';
import { tagSetOf, tagsOf } from './wire.js';

const isCorsMethod = (method: string): method is CorsMethod => CORS_METHODS.some((known) => known === method);

function toWire(rule: CorsRule): CORSRule {
  return {
    ID: rule.id,
    AllowedOrigins: rule.allowedOrigins,
    AllowedMethods: rule.allowedMethods,
    AllowedHeaders: rule.allowedHeaders.length > 0 ? rule.allowedHeaders : undefined,
    ExposeHeaders: rule.exposeHeaders.length > 0 ? rule.exposeHeaders : undefined,
    MaxAgeSeconds: rule.maxAgeSeconds,
  };
}

function fromWire(rule: CORSRule): CorsRule {
  return {
    id: rule.ID,
    allowedOrigins: rule.AllowedOrigins ?? [],
    allowedMethods: (rule.AllowedMethods ?? []).filter(isCorsMethod),
    allowedHeaders: rule.AllowedHeaders ?? [],
    exposeHeaders: rule.ExposeHeaders ?? [],
    maxAgeSeconds: rule.MaxAgeSeconds,
  };
}

export async function getCors(b: Backend, opts: BucketOptions): Promise<CorsRule[]> {
  const { bucket, signal } = opts;
  const out = await b.run({ bucket }, signal, () => b.client.send(new GetBucketCorsCommand({ Bucket: bucket }), { abortSignal: signal }));
  return (out.CORSRules ?? []).map(fromWire);
}

export async function putCors(b: Backend, opts: BucketCorsOptions): Promise<void> {
  const { bucket, signal } = opts;
  const command = new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: opts.rules.map(toWire) } });
  await b.run({ bucket }, signal, () => b.client.send(command, { abortSignal: signal }));
}

export async function deleteCors(b: Backend, opts: BucketOptions): Promise<void> {
  const { bucket, signal } = opts;
  await b.run({ bucket }, signal, () => b.client.send(new DeleteBucketCorsCommand({ Bucket: bucket }), { abortSignal: signal }));
}

export async function getBucketTags(b: Backend, opts: BucketOptions): Promise<Tags> {
  const { bucket, signal } = opts;
  const out = await b.run({ bucket }, signal, () => b.client.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal }));
  // an empty set (Ceph RGW keeps one when given one) is no tags, as the contract says
  if ((out.TagSet ?? []).length === 0) throw noTagSet(bucket);
  return tagsOf(out.TagSet);
}

export async function putBucketTags(b: Backend, opts: BucketTaggingOptions): Promise<void> {
  if (Object.keys(opts.tags).length === 0) return deleteBucketTags(b, opts);
  const { bucket, signal } = opts;
  const command = new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tagSetOf(opts.tags) } });
  await b.run({ bucket }, signal, () => b.client.send(command, { abortSignal: signal }));
}

export async function deleteBucketTags(b: Backend, opts: BucketOptions): Promise<void> {
  const { bucket, signal } = opts;
  await b.run({ bucket }, signal, () => b.client.send(new DeleteBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal }));
}
