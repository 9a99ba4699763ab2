/** What several S3 operations share: the owner they name, dates, tags and checksums as S3 writes them. */
import type { Readable } from 'node:stream';
import { ServiceError } from '../../../../errors/codes.js';
import { ChecksumSet, checkChecksumValue, verifyChecksums } from '../../../../storage/checksums.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type Checksums, type ObjectHeaders, type ObjectStore, type Tags, type WriteConditions } from '../../../../storage/types.js';
import { keptHeaders, userMetadata } from '../../../objects/metadata.js';
import { resolveWriteConditions } from '../../../objects/receive.js';
import { header, type ObjectCall, type S3Call } from '../context.js';
import { storedContentEncoding } from '../payload.js';
import { verifiedAtEnd } from '../verify-at-end.js';

/** Every key acts for the one owner of the service's buckets; the id names the caller's key when there is one. */
export function owner(call: S3Call): { ID: string; DisplayName: string } {
  const id = call.request.principal?.keyId ?? 's3gate';
  return { ID: id, DisplayName: id };
}

/** S3's timestamps: ISO 8601 with milliseconds, in UTC. */
export const isoDate = (date: Date): string => date.toISOString();

/** Tags from x-amz-tagging (a URL-encoded query: `k1=v1&k2=v2`), or undefined without the header. */
export function tagsFromHeader(value: string | undefined): Tags | undefined {
  if (value === undefined) return undefined;
  const tags: Tags = {};
  for (const [name, text] of new URLSearchParams(value)) {
    if (Object.hasOwn(tags, name)) throw new ServiceError('InvalidTag', `The tag "${name}" is given twice.`);
    tags[name] = text;
  }
  return tags;
}

const checksumHeaderName = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** The x-amz-checksum-<algorithm> values a request announces, each checked for its form. */
export function announcedChecksums(call: S3Call): Checksums | undefined {
  const found: Checksums = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(call, checksumHeaderName(algorithm));
    if (value === undefined) continue;
    checkChecksumValue(algorithm, value);
    found[algorithm] = value;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

/** The algorithm x-amz-checksum-algorithm or x-amz-sdk-checksum-algorithm asks for, if any. */
export function askedAlgorithm(call: S3Call): ChecksumAlgorithm | undefined {
  const value = (header(call, 'x-amz-checksum-algorithm') ?? header(call, 'x-amz-sdk-checksum-algorithm'))?.toUpperCase();
  if (value === undefined) return undefined;
  const algorithm = CHECKSUM_ALGORITHMS.find((name) => name === value);
  if (!algorithm) throw new ServiceError('InvalidRequest', `The checksum algorithm ${value} is not supported: use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.`);
  return algorithm;
}

/** Checksums as response headers. */
export function checksumHeaders(checksums: Checksums | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums?.[algorithm];
    if (value !== undefined) headers[checksumHeaderName(algorithm)] = value;
  }
  return headers;
}

/**
 * Announced checksums split by what the store keeps: those it keeps go to it (it checks and keeps them);
 * the others are checked here while the body streams, and not kept.
 */
export function integrityFor(
  store: ObjectStore,
  body: Readable,
  announced: Checksums | undefined,
  algorithm: ChecksumAlgorithm | undefined,
): { body: Readable; checksums: Checksums | undefined; checksumAlgorithm: ChecksumAlgorithm | undefined } {
  const keeps = (name: ChecksumAlgorithm) => store.capabilities.checksums.includes(name);
  const kept: Checksums = {};
  const checkedHere: Checksums = {};
  for (const name of CHECKSUM_ALGORITHMS) {
    const value = announced?.[name];
    if (value !== undefined) (keeps(name) ? kept : checkedHere)[name] = value;
  }
  let checked = body;
  if (Object.keys(checkedHere).length > 0) {
    const digests = new ChecksumSet(CHECKSUM_ALGORITHMS.filter((name) => checkedHere[name] !== undefined));
    checked = verifiedAtEnd(body, { update: (chunk) => digests.update(chunk), verify: async () => verifyChecksums(checkedHere, await digests.finish()) });
  }
  return {
    body: checked,
    checksums: Object.keys(kept).length > 0 ? kept : undefined,
    checksumAlgorithm: algorithm !== undefined && keeps(algorithm) ? algorithm : undefined,
  };
}

/** Canned ACLs that say what s3gate does anyway (one owner, nothing public); any other is refused. */
const OWNER_ONLY_ACLS = new Set(['private', 'bucket-owner-full-control', 'bucket-owner-read']);

/**
 * Refuses an ACL that would grant anything beyond the owner (a canned ACL, or x-amz-grant-* names among
 * `names`): s3gate's keys and grants decide access.
 */
export function assertOwnerOnly(canned: string | undefined, names: Iterable<string>): void {
  if (canned !== undefined && !OWNER_ONLY_ACLS.has(canned)) {
    throw new ServiceError('NotImplemented', `The canned ACL ${canned} is not supported: access is given by s3gate's access keys and their grants.`);
  }
  const grant = [...names].find((name) => name.startsWith('x-amz-grant-'));
  if (grant) throw new ServiceError('NotImplemented', `${grant} is not supported: access is given by s3gate's access keys and their grants.`);
}

/** The same for a request's x-amz-acl and x-amz-grant-* headers. */
export function assertOwnerOnlyAcl(call: S3Call): void {
  assertOwnerOnly(header(call, 'x-amz-acl'), Object.keys(call.request.headers));
}

/** An ETag of a condition header as the store compares it: S3 also takes one bare. */
function quotedEtag(value: string | undefined): string | undefined {
  const tag = value?.trim();
  return tag === undefined || tag === '*' || tag.startsWith('"') || tag.startsWith('W/') ? tag : `"${tag}"`;
}

/**
 * The conditions a write puts on the key's current object: If-Match and If-None-Match, each `*` or one
 * ETag; an If-Match on a key without an object answers 404 NoSuchKey, as S3 does.
 */
export function writeConditions(call: ObjectCall): Promise<WriteConditions> {
  const { bucket, key } = call;
  return resolveWriteConditions(
    call.store,
    { ifMatch: quotedEtag(header(call, 'if-match')), ifNoneMatch: quotedEtag(header(call, 'if-none-match')) },
    { bucket, key, signal: call.signal },
    () => new ServiceError('NoSuchKey', 'The specified key does not exist.'),
  );
}

/** Checksums as the elements of an XML answer (<ChecksumCRC32>...), in S3's order. */
export function checksumElements(checksums: Checksums | undefined): Record<string, string> {
  const elements: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums?.[algorithm];
    if (value !== undefined) elements[`Checksum${algorithm}`] = value;
  }
  return elements;
}

/** The headers and user metadata a write stores with the object, from its request (aws-chunked is the transfer's, not kept). */
export function objectHeadersOf(call: S3Call): ObjectHeaders {
  const kept = keptHeaders(call.request.headers);
  return { ...kept, contentEncoding: storedContentEncoding(kept.contentEncoding), metadata: userMetadata(call.request.headers) };
}

/** S3's encoding-type=url: every character but the unreserved ones and "/" percent-encoded. */
const urlEncoded = (name: string) => encodeURIComponent(name).replace(/%2F/g, '/');

/** How a listing sends names: percent-encoded with encoding-type=url (XML 1.0 cannot carry every character a key may have). */
export function listingEncoding(call: S3Call): { encode: (name: string) => string; encodingType: 'url' | undefined } {
  const type = call.query.get('encoding-type');
  if (type === null) return { encode: (name) => name, encodingType: undefined };
  if (type !== 'url') throw new ServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request: only "url" is.');
  return { encode: urlEncoded, encodingType: 'url' };
}
