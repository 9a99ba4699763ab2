/** The service and its buckets: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning. */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { BucketCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { childrenOf, parseXml, sendXml, textOf } from '../xml.js';
import { readDocument } from './request-document.js';
import { isoDate, owner } from './common.js';
import { afterToken, tokenFor } from './listing.js';

const MAX_BUCKETS = 10000;

/** ListBuckets' paging: max-buckets (1 to 10,000), after a continuation token, names under a prefix. */
function listBucketsAsked(query: URLSearchParams): { maxBuckets: number; after: string | undefined; prefix: string | undefined } {
  const max = query.get('max-buckets')?.trim();
  if (max !== undefined && (!/^\d{1,5}$/.test(max) || Number(max) < 1 || Number(max) > MAX_BUCKETS)) {
    throw new ServiceError('InvalidArgument', `max-buckets must be a whole number from 1 to ${MAX_BUCKETS}.`);
  }
  const token = query.get('continuation-token');
  return { maxBuckets: max === undefined ? MAX_BUCKETS : Number(max), after: token ? afterToken(token) : undefined, prefix: query.get('prefix') ?? undefined };
}

/** CreateBucket's optional body names a region: it must be the listener's (or empty, the default one). */
async function checkLocation(call: BucketCall): Promise<void> {
  const text = await readDocument(call);
  if (text.trim() === '') return;
  const location = textOf(parseXml(text, 'CreateBucketConfiguration')['LocationConstraint']) ?? '';
  if (location !== '' && location !== call.options.region) {
    throw new ServiceError('InvalidLocationConstraint', `This service's region is ${call.options.region}; the bucket cannot be made in ${location}.`);
  }
}

export const BUCKET_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'ListBuckets',
    method: 'GET',
    target: 'service',
    async handle(call) {
      assertAllowed(call.request, 'list');
      const asked = listBucketsAsked(call.query);
      const buckets = (await call.store.listBuckets({ signal: call.signal }))
        .filter((b) => b.name.startsWith(asked.prefix ?? '') && (asked.after === undefined || b.name > asked.after))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const page = buckets.slice(0, asked.maxBuckets);
      const last = page.at(-1);
      const listed = page.map((b) => ({ Name: b.name, CreationDate: isoDate(b.creationDate) }));
      return sendXml(call.reply, 'ListAllMyBucketsResult', {
        Owner: owner(call),
        Buckets: listed.length > 0 ? { Bucket: listed } : '',
        ...(buckets.length > page.length && last && { ContinuationToken: tokenFor(last.name) }),
        ...(asked.prefix !== undefined && { Prefix: asked.prefix }),
      });
    },
  },
  {
    name: 'GetBucketLocation',
    method: 'GET',
    target: 'bucket',
    query: 'location',
    async handle(call) {
      assertAllowed(call.request, 'list', call.bucket);
      await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
      // us-east-1 is answered as an empty constraint, as S3 does
      return sendXml(call.reply, 'LocationConstraint', { '#text': call.options.region === 'us-east-1' ? '' : call.options.region });
    },
  },
  {
    name: 'GetBucketVersioning',
    method: 'GET',
    target: 'bucket',
    query: 'versioning',
    async handle(call) {
      assertAllowed(call.request, 'list', call.bucket);
      await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
      return sendXml(call.reply, 'VersioningConfiguration', {}); // never enabled: no Status
    },
  },
  {
    name: 'PutBucketVersioning',
    method: 'PUT',
    target: 'bucket',
    query: 'versioning',
    async handle(call) {
      assertAllowed(call.request, 'admin', call.bucket);
      const status = textOf(childrenOf(parseXml(await readDocument(call), 'VersioningConfiguration'))['Status']);
      if (status === 'Enabled') throw new ServiceError('NotImplemented', 's3gate does not keep object versions.');
      await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
      return call.reply.send(); // Suspended: what it is already
    },
  },
  {
    name: 'CreateBucket',
    method: 'PUT',
    target: 'bucket',
    async handle(call) {
      assertAllowed(call.request, 'admin', call.bucket);
      await checkLocation(call);
      // the store's BucketAlreadyExists as it is, as Ceph RGW answers it: keys cannot tell one owner's
      // buckets from another's, so "already owned by you" could be untrue
      await call.store.createBucket({ bucket: call.bucket, signal: call.signal });
      return call.reply.header('location', `/${call.bucket}`).send();
    },
  },
  {
    name: 'HeadBucket',
    method: 'HEAD',
    target: 'bucket',
    async handle(call) {
      assertAllowed(call.request, 'list', call.bucket);
      await call.store.headBucket({ bucket: call.bucket, signal: call.signal });
      return call.reply.header('x-amz-bucket-region', call.options.region).send();
    },
  },
  {
    name: 'DeleteBucket',
    method: 'DELETE',
    target: 'bucket',
    async handle(call) {
      assertAllowed(call.request, 'admin', call.bucket);
      await call.store.deleteBucket({ bucket: call.bucket, signal: call.signal });
      return call.reply.code(204).send();
    },
  },
];
