/**
 * A bucket's settings: Get/Put/DeleteBucketCors (?cors) and Get/Put/DeleteBucketTagging (?tagging on a
 * bucket). Changing one needs 'admin' on the bucket, as changing a bucket does on v1; reading one 'list'.
 * The rules of the settings themselves (counts, methods, wildcards, tag lengths) are the core's
 * (core/checked-store.ts); here the XML is read and written.
 */
import { createHash } from 'node:crypto';
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { ChecksumSet, verifyChecksums } from '../../../../storage/checksums.js';
import { checkContentMd5 } from '../../../../storage/preconditions.js';
import { CHECKSUM_ALGORITHMS, type CorsMethod, type CorsRule, type Tags } from '../../../../storage/types.js';
import { contentMd5Of } from '../../../objects/metadata.js';
import { header, type BucketCall } from '../context.js';
import type { S3Method, S3Operation } from '../operation.js';
import { incomingPayload } from '../payload.js';
import { childrenOf, listOf, MAX_XML_BODY, parseXml, sendXml, textOf, type XmlNode } from '../xml.js';
import { announcedChecksums } from './common.js';

type Children = Record<string, XmlNode | XmlNode[] | undefined>;

function malformed(message: string): ServiceError {
  return new ServiceError('MalformedXML', message);
}

/**
 * The request's XML document, decoded and checked as its signature says, and against its Content-MD5 and
 * x-amz-checksum-* when it carries them (S3 requires one of those on these calls; the SDK sends a CRC32).
 */
async function readDocument(call: BucketCall): Promise<string> {
  const contentMd5 = contentMd5Of(header(call, 'content-md5'));
  const announced = announcedChecksums(call);
  const chunks: Buffer[] = [];
  for await (const chunk of incomingPayload(call.request, MAX_XML_BODY).body) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  checkContentMd5(contentMd5, createHash('md5').update(bytes).digest('hex'));
  if (announced) {
    const digests = new ChecksumSet(CHECKSUM_ALGORITHMS.filter((algorithm) => announced[algorithm] !== undefined));
    digests.update(bytes);
    verifyChecksums(announced, await digests.finish());
  }
  return bytes.toString('utf8');
}

const texts = (node: XmlNode | XmlNode[] | undefined): string[] => listOf(node).map((item) => (textOf(item) ?? '').trim());

/** MalformedXML for a child this element may not have: a misspelt element must not be dropped unseen. */
function onlyChildren(element: Children, where: string, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(element)) {
    if (allowed.includes(name)) continue;
    // the white space between elements of an indented document
    if (name === '#text' && texts(value).every((text) => text === '')) continue;
    throw malformed(name === '#text' ? `<${where}> may not hold text.` : `<${where}> may not hold <${name}>.`);
  }
}

const RULE_CHILDREN = ['ID', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'MaxAgeSeconds'];

function corsRuleOf(node: XmlNode): CorsRule {
  const rule = childrenOf(node);
  onlyChildren(rule, 'CORSRule', RULE_CHILDREN);
  const age = textOf(rule['MaxAgeSeconds'])?.trim();
  if (age !== undefined && !/^\d{1,10}$/.test(age)) throw malformed('<MaxAgeSeconds> must be a whole number of seconds.');
  return {
    id: textOf(rule['ID']),
    allowedOrigins: texts(rule['AllowedOrigin']),
    // the core refuses any method S3 does not serve (core/checked-store.ts)
    allowedMethods: texts(rule['AllowedMethod']) as CorsMethod[],
    allowedHeaders: texts(rule['AllowedHeader']),
    exposeHeaders: texts(rule['ExposeHeader']),
    maxAgeSeconds: age === undefined ? undefined : Number(age),
  };
}

function corsRulesOf(text: string): CorsRule[] {
  const root = parseXml(text, 'CORSConfiguration');
  onlyChildren(root, 'CORSConfiguration', ['CORSRule']);
  const rules = listOf(root['CORSRule']);
  if (rules.length === 0) throw malformed('<CORSConfiguration> must hold at least one <CORSRule>.');
  return rules.map(corsRuleOf);
}

/** A rule as GetBucketCors writes it: absent parts left out. */
function corsRuleXml(rule: CorsRule): Record<string, unknown> {
  const xml: Record<string, unknown> = {};
  if (rule.id !== undefined) xml['ID'] = rule.id;
  xml['AllowedOrigin'] = rule.allowedOrigins;
  xml['AllowedMethod'] = rule.allowedMethods;
  if (rule.allowedHeaders.length > 0) xml['AllowedHeader'] = rule.allowedHeaders;
  if (rule.exposeHeaders.length > 0) xml['ExposeHeader'] = rule.exposeHeaders;
  if (rule.maxAgeSeconds !== undefined) xml['MaxAgeSeconds'] = String(rule.maxAgeSeconds);
  return xml;
}

function tagsOf(text: string): Tags {
  const root = parseXml(text, 'Tagging');
  onlyChildren(root, 'Tagging', ['TagSet']);
  if (root['TagSet'] === undefined) throw malformed('<Tagging> must hold a <TagSet>.');
  const set = childrenOf(root['TagSet']);
  onlyChildren(set, 'TagSet', ['Tag']);
  const tags: Tags = {};
  for (const node of listOf(set['Tag'])) {
    const tag = childrenOf(node);
    onlyChildren(tag, 'Tag', ['Key', 'Value']);
    const key = textOf(tag['Key']);
    if (key === undefined) throw malformed('Each <Tag> must have a <Key>.');
    if (Object.hasOwn(tags, key)) throw new ServiceError('InvalidTag', 'Cannot provide multiple Tags with the same key.');
    tags[key] = textOf(tag['Value']) ?? '';
  }
  return tags;
}

/** A bucket setting's operation: reading it needs 'list' on the bucket, changing it 'admin'. */
function settingOperation(name: string, method: S3Method, query: 'cors' | 'tagging', handle: (call: BucketCall) => Promise<unknown>): S3Operation {
  const action = method === 'GET' ? 'list' : 'admin';
  return {
    name,
    method,
    target: 'bucket',
    query,
    handle(call) {
      assertAllowed(call.request, action, call.bucket);
      return handle(call);
    },
  };
}

const of = (call: BucketCall) => ({ bucket: call.bucket, signal: call.signal });

export const BUCKET_SETTINGS_OPERATIONS: readonly S3Operation[] = [
  settingOperation('GetBucketCors', 'GET', 'cors', async (call) => {
    const rules = await call.store.getBucketCors(of(call));
    return sendXml(call.reply, 'CORSConfiguration', { CORSRule: rules.map(corsRuleXml) });
  }),
  settingOperation('PutBucketCors', 'PUT', 'cors', async (call) => {
    const rules = corsRulesOf(await readDocument(call));
    await call.store.putBucketCors({ ...of(call), rules });
    return call.reply.send();
  }),
  settingOperation('DeleteBucketCors', 'DELETE', 'cors', async (call) => {
    await call.store.deleteBucketCors(of(call));
    return call.reply.code(204).send();
  }),
  settingOperation('GetBucketTagging', 'GET', 'tagging', async (call) => {
    const set = Object.entries(await call.store.getBucketTagging(of(call))).map(([Key, Value]) => ({ Key, Value }));
    return sendXml(call.reply, 'Tagging', { TagSet: set.length > 0 ? { Tag: set } : '' });
  }),
  settingOperation('PutBucketTagging', 'PUT', 'tagging', async (call) => {
    const tags = tagsOf(await readDocument(call));
    await call.store.putBucketTagging({ ...of(call), tags });
    return call.reply.code(204).send();
  }),
  settingOperation('DeleteBucketTagging', 'DELETE', 'tagging', async (call) => {
    await call.store.deleteBucketTagging(of(call));
    return call.reply.code(204).send();
  }),
];
