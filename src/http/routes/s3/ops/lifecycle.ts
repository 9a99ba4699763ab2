/**
 * Bucket lifecycle (?lifecycle). s3gate does not expire or move objects, so no bucket has rules:
 * GetBucketLifecycleConfiguration says so, DeleteBucketLifecycle has nothing to remove, and
 * PutBucketLifecycleConfiguration refuses a valid document with NotImplemented, rather than keep rules it
 * would never apply. An invalid document gets S3's own 400 first, so a client learns its mistake.
 */
import { ServiceError } from '../../../../errors/codes.js';
import type { BucketCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { childrenOf, listOf, malformed, parseXml, textOf, type XmlChildren } from '../xml.js';
import { settingOperation } from './bucket-settings.js';
import { readDocument } from './request-document.js';

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;

const invalid = (message: string) => new ServiceError('InvalidArgument', message);

/** Lifecycle dates are days: ISO 8601 at midnight UTC. */
function checkDate(text: string | undefined): void {
  if (text === undefined) return;
  const midnight = /^\d{4}-\d{2}-\d{2}(T00:00:00(\.0+)?(Z|[+-]00:?00))?$/.test(text.trim());
  if (!midnight || Number.isNaN(Date.parse(text.trim().slice(0, 10)))) throw invalid("'Date' must be at midnight GMT");
}

function checkDays(text: string | undefined, { zeroAllowed }: { zeroAllowed: boolean }): void {
  if (text === undefined) return;
  const days = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < (zeroAllowed ? 0 : 1)) {
    throw invalid(zeroAllowed ? "'Days' in a Transition action must be zero or a positive integer" : "'Days' for an Expiration action must be a positive integer");
  }
}

function checkRule(rule: XmlChildren, ids: Set<string>): void {
  const id = textOf(rule['ID']);
  if (id !== undefined) {
    if (id.length > MAX_ID_LENGTH) throw invalid(`ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`);
    if (ids.has(id)) throw invalid('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(id);
  }
  const status = textOf(rule['Status']);
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed('<Status> must be Enabled or Disabled.');
  const expiration = childrenOf(rule['Expiration']);
  checkDate(textOf(expiration['Date']));
  checkDays(textOf(expiration['Days']), { zeroAllowed: false });
  for (const transition of listOf(rule['Transition'])) {
    checkDate(textOf(childrenOf(transition)['Date']));
    checkDays(textOf(childrenOf(transition)['Days']), { zeroAllowed: true });
  }
  checkDays(textOf(childrenOf(rule['NoncurrentVersionExpiration'])['NoncurrentDays']), { zeroAllowed: false });
  checkDays(textOf(childrenOf(rule['AbortIncompleteMultipartUpload'])['DaysAfterInitiation']), { zeroAllowed: false });
}

/** Throws S3's 400 for what S3 would refuse in the document. */
function checkLifecycleDocument(text: string): void {
  const rules = listOf(parseXml(text, 'LifecycleConfiguration')['Rule']);
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformed(`<LifecycleConfiguration> must hold 1 to ${MAX_RULES} <Rule> elements.`);
  const ids = new Set<string>();
  for (const rule of rules) checkRule(childrenOf(rule), ids);
}

const existing = (call: BucketCall) => call.store.headBucket({ bucket: call.bucket, signal: call.signal });

export const LIFECYCLE_OPERATIONS: readonly S3Operation[] = [
  settingOperation('GetBucketLifecycleConfiguration', 'GET', 'lifecycle', async (call) => {
    await existing(call);
    throw new ServiceError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist');
  }),
  settingOperation('PutBucketLifecycleConfiguration', 'PUT', 'lifecycle', async (call) => {
    const text = await readDocument(call, { integrityRequired: true });
    await existing(call);
    checkLifecycleDocument(text);
    throw new ServiceError('NotImplemented', 's3gate does not expire or transition objects, so it keeps no lifecycle rules.');
  }),
  settingOperation('DeleteBucketLifecycle', 'DELETE', 'lifecycle', async (call) => {
    await existing(call);
    return call.reply.code(204).send(); // there never are rules to remove
  }),
];
