/**
 * ACLs (?acl on a bucket or an object). s3gate's access is decided by its keys and their grants, never by
 * ACLs: every bucket and object has the one owner with FULL_CONTROL, which is what the Get operations
 * answer. The Put operations accept what says that again (a canned `private`, or a policy granting only
 * the owner FULL_CONTROL); anything else would promise access s3gate does not give, so it is refused (501).
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { header, type BucketCall, type ObjectCall, type S3Call } from '../context.js';
import type { S3Operation } from '../operation.js';
import { childrenOf, listOf, parseXml, sendXml, textOf, type XmlNode } from '../xml.js';
import { assertOwnerOnlyAcl, owner } from './common.js';
import { readDocument } from './request-document.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function sendOwnerOnlyAcl(call: S3Call): unknown {
  const who = owner(call);
  return sendXml(call.reply, 'AccessControlPolicy', {
    Owner: who,
    AccessControlList: { Grant: { Grantee: { '@xmlns:xsi': XSI, '@xsi:type': 'CanonicalUser', ...who }, Permission: 'FULL_CONTROL' } },
  });
}

const refused = () => new ServiceError('NotImplemented', 'Only the owner\'s FULL_CONTROL is supported: access is given by s3gate\'s access keys and their grants.');

/** A grant is the owner's FULL_CONTROL: a canonical user of the owner's id, named by nothing else. */
function isOwnerFullControl(grant: XmlNode, ownerId: string): boolean {
  const fields = childrenOf(grant);
  const grantee = childrenOf(fields['Grantee']);
  const namedOtherwise = grantee['URI'] !== undefined || grantee['EmailAddress'] !== undefined;
  return textOf(fields['Permission'])?.trim() === 'FULL_CONTROL' && textOf(grantee['ID'])?.trim() === ownerId && !namedOtherwise;
}

/** Accepts a Put*Acl that leaves the owner's FULL_CONTROL the only access; refuses any other. */
async function acceptOwnerOnly(call: S3Call): Promise<void> {
  assertOwnerOnlyAcl(call);
  const text = await readDocument(call);
  if (text.trim() === '') {
    if (header(call, 'x-amz-acl') === undefined) throw new ServiceError('InvalidRequest', 'Setting an ACL needs an x-amz-acl header or an AccessControlPolicy document.');
    return;
  }
  const policy = parseXml(text, 'AccessControlPolicy');
  const ownerId = owner(call).ID;
  const statedOwner = textOf(childrenOf(policy['Owner'])['ID'])?.trim();
  const grants = listOf(childrenOf(policy['AccessControlList'])['Grant']);
  if ((statedOwner !== undefined && statedOwner !== ownerId) || grants.length === 0 || !grants.every((grant) => isOwnerFullControl(grant, ownerId))) {
    throw refused();
  }
}

/** Get*Acl: the caller may see the resource, and it exists. */
async function getAcl(call: S3Call, check: () => Promise<unknown>): Promise<unknown> {
  await check();
  return sendOwnerOnlyAcl(call);
}

/** Put*Acl: the caller may change the resource, it exists, and the ACL is the owner's alone. */
async function putAcl(call: S3Call, check: () => Promise<unknown>): Promise<unknown> {
  await check();
  await acceptOwnerOnly(call);
  return call.reply.send();
}

function bucketExists(call: BucketCall, action: 'list' | 'admin'): () => Promise<unknown> {
  return () => {
    assertAllowed(call.request, action, call.bucket);
    return call.store.headBucket({ bucket: call.bucket, signal: call.signal });
  };
}

function objectExists(call: ObjectCall, action: 'read' | 'write'): () => Promise<unknown> {
  return () => {
    assertAllowed(call.request, action, call.bucket, call.key);
    return call.store.headObject({ bucket: call.bucket, key: call.key, signal: call.signal });
  };
}

export const ACL_OPERATIONS: readonly S3Operation[] = [
  { name: 'GetBucketAcl', method: 'GET', target: 'bucket', query: 'acl', handle: (call) => getAcl(call, bucketExists(call, 'list')) },
  { name: 'PutBucketAcl', method: 'PUT', target: 'bucket', query: 'acl', handle: (call) => putAcl(call, bucketExists(call, 'admin')) },
  { name: 'GetObjectAcl', method: 'GET', target: 'object', query: 'acl', handle: (call) => getAcl(call, objectExists(call, 'read')) },
  { name: 'PutObjectAcl', method: 'PUT', target: 'object', query: 'acl', handle: (call) => putAcl(call, objectExists(call, 'write')) },
];
