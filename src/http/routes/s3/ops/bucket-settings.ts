/**
 * A bucket's settings: Get/Put/DeleteBucketCors (?cors) and Get/Put/DeleteBucketTagging (?tagging on a
 * bucket). Changing one needs 'admin' on the bucket, as changing a bucket does on v1; reading one 'list'.
 * The rules of the settings themselves (counts, methods, wildcards, tag lengths) are the core's
 * (core/checked-store.ts); here the XML is read and written.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import type { CorsMethod, CorsRule } from '../../../../storage/types.js';
import type { BucketCall } from '../context.js';
import type { S3Method, S3Operation } from '../operation.js';
import { childrenOf, listOf, malformed, onlyChildren, parseXml, sendXml, textOf, texts, type XmlNode } from '../xml.js';
import { readDocument } from './request-document.js';
import { tagSetXml, tagsFromDocument } from './tagging-xml.js';


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

/** A bucket setting's operation: reading it needs 'list' on the bucket, changing it 'admin'. */
export function settingOperation(name: string, method: S3Method, query: string, handle: (call: BucketCall) => Promise<unknown>): S3Operation {
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

export const of = (call: BucketCall) => ({ bucket: call.bucket, signal: call.signal });

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
    return sendXml(call.reply, 'Tagging', tagSetXml(await call.store.getBucketTagging(of(call))));
  }),
  settingOperation('PutBucketTagging', 'PUT', 'tagging', async (call) => {
    const tags = tagsFromDocument(await readDocument(call));
    await call.store.putBucketTagging({ ...of(call), tags });
    return call.reply.code(204).send();
  }),
  settingOperation('DeleteBucketTagging', 'DELETE', 'tagging', async (call) => {
    await call.store.deleteBucketTagging(of(call));
    return call.reply.code(204).send();
  }),
];
