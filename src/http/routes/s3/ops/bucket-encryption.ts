/**
 * A bucket's default encryption: Get/Put/DeleteBucketEncryption (?encryption), applied by the store to
 * every write that asks for none (of any face). Its one rule names AES256 (SSE-S3) or aws:kms with an
 * optional key id; S3 Bucket Keys only save KMS calls, which s3gate never makes, so BucketKeyEnabled is read
 * and answered as false.
 */
import { ServiceError } from '../../../../errors/codes.js';
import type { BucketEncryption } from '../../../../storage/types.js';
import { childrenOf, listOf, malformed, onlyChildren, parseXml, sendXml, textOf } from '../xml.js';
import { of, settingOperation } from './bucket-settings.js';
import { readDocument } from './request-document.js';
import type { S3Operation } from '../operation.js';

const ROOT = 'ServerSideEncryptionConfiguration';
const DEFAULT = 'ApplyServerSideEncryptionByDefault';

function bucketEncryptionOf(text: string): BucketEncryption {
  const root = parseXml(text, ROOT);
  onlyChildren(root, ROOT, ['Rule']);
  const rules = listOf(root['Rule']);
  if (rules.length !== 1) throw malformed(`<${ROOT}> must hold exactly one <Rule>.`);
  const rule = childrenOf(rules[0]);
  onlyChildren(rule, 'Rule', [DEFAULT, 'BucketKeyEnabled']);
  const byDefault = childrenOf(rule[DEFAULT]);
  onlyChildren(byDefault, DEFAULT, ['SSEAlgorithm', 'KMSMasterKeyID']);
  const algorithm = textOf(byDefault['SSEAlgorithm'])?.trim();
  const keyId = textOf(byDefault['KMSMasterKeyID'])?.trim();
  const bucketKey = textOf(rule['BucketKeyEnabled'])?.trim();
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw malformed('<BucketKeyEnabled> must be true or false.');
  if (algorithm === undefined) throw malformed(`<${DEFAULT}> must name an <SSEAlgorithm>.`);
  if (algorithm === 'AES256') {
    if (keyId !== undefined) throw new ServiceError('InvalidArgument', 'A KMSMasterKeyID is only allowed with the aws:kms algorithm.');
    return { mode: 'AES256' };
  }
  if (algorithm === 'aws:kms') return { mode: 'aws:kms', keyId: keyId === '' ? undefined : keyId };
  if (algorithm === 'aws:kms:dsse') throw new ServiceError('NotImplemented', 'Dual-layer SSE-KMS (aws:kms:dsse) is not supported here.');
  throw new ServiceError('InvalidArgument', `The SSEAlgorithm ${algorithm} is not supported: use AES256 or aws:kms.`);
}

function bucketEncryptionXml(encryption: BucketEncryption): Record<string, unknown> {
  const byDefault: Record<string, unknown> = { SSEAlgorithm: encryption.mode };
  if (encryption.mode === 'aws:kms' && encryption.keyId !== undefined) byDefault['KMSMasterKeyID'] = encryption.keyId;
  return { Rule: { [DEFAULT]: byDefault, BucketKeyEnabled: 'false' } };
}

export const BUCKET_ENCRYPTION_OPERATIONS: readonly S3Operation[] = [
  settingOperation('GetBucketEncryption', 'GET', 'encryption', async (call) => {
    return sendXml(call.reply, ROOT, bucketEncryptionXml(await call.store.getBucketEncryption(of(call))));
  }),
  settingOperation('PutBucketEncryption', 'PUT', 'encryption', async (call) => {
    const encryption = bucketEncryptionOf(await readDocument(call));
    await call.store.putBucketEncryption({ ...of(call), encryption });
    return call.reply.send();
  }),
  settingOperation('DeleteBucketEncryption', 'DELETE', 'encryption', async (call) => {
    await call.store.deleteBucketEncryption(of(call));
    return call.reply.code(204).send();
  }),
];
