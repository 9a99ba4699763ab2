/**
 * Listing a bucket: ListObjects (v1, paged by marker), ListObjectsV2 (paged by continuation token) and
 * ListObjectVersions (s3gate keeps no versions: every object is its one version "null", the latest).
 * Each page is one store call (listing-page.ts); nothing is asked of the store per key.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { ObjectSummary } from '../../../../storage/types.js';
import type { BucketCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { sendXml } from '../xml.js';
import { isoDate, listingEncoding, owner } from './common.js';
import { listPage, maxKeysOf, type ListingPage } from './listing-page.js';

/** What every listing reads from the query; an empty parameter (`?prefix=`) is none. */
interface ListingQuery {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  /** encoding-type=url: names in the answer percent-encoded (XML 1.0 cannot carry every character a key may have). */
  encode: (name: string) => string;
  encodingType: 'url' | undefined;
}

function listingQuery(call: BucketCall): ListingQuery {
  const { encode, encodingType } = listingEncoding(call);
  const delimiter = call.query.get('delimiter') || undefined;
  // listings always come in byte order: asking for none is fine, except where S3 refuses it too
  if (call.query.get('allow-unordered') === 'true' && delimiter !== undefined) {
    throw new ServiceError('InvalidArgument', 'allow-unordered cannot be used with a delimiter.');
  }
  return {
    prefix: call.query.get('prefix') ?? '',
    delimiter,
    maxKeys: maxKeysOf(call.query.get('max-keys')),
    encode,
    encodingType,
  };
}

/** Authorizes the listing (a 'list' of the prefix, as the v1 face asks) and reads one page. */
function readPage(call: BucketCall, asked: ListingQuery, marker: string | undefined): Promise<ListingPage> {
  assertAllowed(call.request, 'list', call.bucket, asked.prefix);
  return listPage({ store: call.store, bucket: call.bucket, prefix: asked.prefix, delimiter: asked.delimiter, marker, maxKeys: asked.maxKeys, signal: call.signal });
}

/** Key, date, ETag, size (and the owner when asked): what each listing says of an object. */
function objectFields(o: ObjectSummary, asked: ListingQuery, ownedBy: ReturnType<typeof owner> | undefined): Record<string, unknown> {
  return { Key: asked.encode(o.key), LastModified: isoDate(o.lastModified), ETag: o.etag, Size: o.size, ...(ownedBy && { Owner: ownedBy }), StorageClass: o.storageClass };
}

const prefixesOf = (page: ListingPage, asked: ListingQuery) => page.commonPrefixes.map((p) => ({ Prefix: asked.encode(p) }));

/** The head of every listing answer: the bucket and the prefix asked for (which ListObjects v1 never encodes). */
function listingHead(call: BucketCall, asked: ListingQuery, encodePrefix = true) {
  return { Name: call.bucket, Prefix: encodePrefix ? asked.encode(asked.prefix) : asked.prefix };
}

const optional = (name: string, value: string | undefined) => (value === undefined ? {} : { [name]: value });

const delimiterOf = (asked: ListingQuery) => optional('Delimiter', asked.delimiter && asked.encode(asked.delimiter));

/** What v1 and the versions listing say of the page, in their order. */
function pageFacts(asked: ListingQuery, page: ListingPage) {
  return { MaxKeys: asked.maxKeys, ...delimiterOf(asked), IsTruncated: String(page.isTruncated), ...optional('EncodingType', asked.encodingType) };
}

/** v2 continuation tokens: the base64url of where the page ended, opaque to clients. */
export const tokenFor = (last: string) => Buffer.from(last, 'utf8').toString('base64url');

export function afterToken(token: string): string {
  const last = Buffer.from(token, 'base64url').toString('utf8');
  if (tokenFor(last) !== token) throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect.');
  return last;
}

const listObjectsV2: S3Operation = {
  name: 'ListObjectsV2',
  method: 'GET',
  target: 'bucket',
  query: 'list-type',
  queryValue: '2',
  async handle(call) {
    const asked = listingQuery(call);
    const token = call.query.get('continuation-token') ?? undefined;
    const startAfter = call.query.get('start-after') || undefined;
    // an empty token is none (and is echoed as given)
    const page = await readPage(call, asked, token ? afterToken(token) : startAfter);
    const ownedBy = call.query.get('fetch-owner') === 'true' ? owner(call) : undefined;
    return sendXml(call.reply, 'ListBucketResult', {
      ...listingHead(call, asked),
      ...delimiterOf(asked),
      MaxKeys: asked.maxKeys,
      ...optional('EncodingType', asked.encodingType),
      KeyCount: page.objects.length + page.commonPrefixes.length,
      IsTruncated: String(page.isTruncated),
      ...optional('ContinuationToken', token),
      ...optional('NextContinuationToken', page.isTruncated && page.last !== undefined ? tokenFor(page.last) : undefined),
      ...optional('StartAfter', startAfter && asked.encode(startAfter)),
      Contents: page.objects.map((o) => objectFields(o, asked, ownedBy)),
      CommonPrefixes: prefixesOf(page, asked),
    });
  },
};

const listObjectsV1: S3Operation = {
  name: 'ListObjects',
  method: 'GET',
  target: 'bucket',
  async handle(call) {
    const asked = listingQuery(call);
    const marker = call.query.get('marker') ?? '';
    const page = await readPage(call, asked, marker || undefined);
    const ownedBy = owner(call);
    // without a delimiter the next marker is the last key, which the client has: S3 sends NextMarker only with one
    const nextMarker = page.isTruncated && asked.delimiter !== undefined ? page.last : undefined;
    return sendXml(call.reply, 'ListBucketResult', {
      ...listingHead(call, asked, false),
      Marker: asked.encode(marker),
      ...optional('NextMarker', nextMarker && asked.encode(nextMarker)),
      ...pageFacts(asked, page),
      Contents: page.objects.map((o) => objectFields(o, asked, ownedBy)),
      CommonPrefixes: prefixesOf(page, asked),
    });
  },
};

/** The one version id of an unversioned object. */
const NULL_VERSION = 'null';

const listObjectVersions: S3Operation = {
  name: 'ListObjectVersions',
  method: 'GET',
  target: 'bucket',
  query: 'versions',
  async handle(call) {
    const asked = listingQuery(call);
    const keyMarker = call.query.get('key-marker') ?? '';
    const versionIdMarker = call.query.get('version-id-marker') ?? '';
    if (versionIdMarker !== '' && keyMarker === '') throw new ServiceError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.');
    if (versionIdMarker !== '' && versionIdMarker !== NULL_VERSION) throw new ServiceError('InvalidArgument', 'Invalid version id specified.');
    // each key has one version: after (key, "null") and after the key are the same place
    const page = await readPage(call, asked, keyMarker || undefined);
    const ownedBy = owner(call);
    const next = page.isTruncated ? page.last : undefined;
    const nextIsKey = next !== undefined && page.objects.at(-1)?.key === next;
    return sendXml(call.reply, 'ListVersionsResult', {
      ...listingHead(call, asked),
      KeyMarker: asked.encode(keyMarker),
      VersionIdMarker: versionIdMarker,
      ...optional('NextKeyMarker', next && asked.encode(next)),
      ...optional('NextVersionIdMarker', nextIsKey ? NULL_VERSION : undefined),
      ...pageFacts(asked, page),
      Version: page.objects.map((o) => {
        const { Key, ...rest } = objectFields(o, asked, ownedBy);
        return { Key, VersionId: NULL_VERSION, IsLatest: 'true', ...rest };
      }),
      CommonPrefixes: prefixesOf(page, asked),
    });
  },
};

export const LISTING_OPERATIONS: readonly S3Operation[] = [listObjectsV2, listObjectVersions, listObjectsV1];
