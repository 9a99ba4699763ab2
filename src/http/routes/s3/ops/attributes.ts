/**
 * GetObjectAttributes (GET ?attributes): what x-amz-object-attributes asks of an object's metadata, from one
 * headObject. Of a multipart object it also lists a page of its parts (x-amz-max-parts after
 * x-amz-part-number-marker), each read with a headObject of that part number; a store that cannot read
 * parts by number gets the count alone.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { CHECKSUM_ALGORITHMS, type ObjectMeta } from '../../../../storage/types.js';
import { header, type ObjectCall } from '../context.js';
import type { S3Operation } from '../operation.js';
import { sendXml } from '../xml.js';
import { readKeyOf } from '../sse.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

function askedAttributes(value: string | undefined): Set<Attribute> {
  const names = (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new ServiceError('InvalidArgument', 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty.');
  const asked = new Set<Attribute>();
  for (const name of names) {
    const attribute = ATTRIBUTES.find((known) => known === name);
    if (!attribute) throw new ServiceError('InvalidArgument', `Invalid attribute name specified: ${name}.`);
    asked.add(attribute);
  }
  return asked;
}

const MAX_PARTS = 1000;
const isComposite = (value: string) => /-\d+$/.test(value);

/** A multipart object's checksum is of its parts' checksums: the "-N" it ends with says so, as ChecksumType does. */
function checksumOf(meta: ObjectMeta): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let composite = false;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = meta.checksums?.[algorithm];
    if (value === undefined) continue;
    composite ||= isComposite(value);
    out[`Checksum${algorithm}`] = value;
  }
  if (Object.keys(out).length === 0) return undefined;
  return { ...out, ChecksumType: composite ? 'COMPOSITE' : 'FULL_OBJECT' };
}

/** A whole number from a header, `fallback` when absent; InvalidArgument when it is not one within `max`. */
function wholeNumber(call: ObjectCall, name: string, fallback: number, max: number): number {
  const value = header(call, name)?.trim();
  if (value === undefined) return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) > max) throw new ServiceError('InvalidArgument', `${name} must be a whole number from 0 to ${max}.`);
  return Number(value);
}

/**
 * A part's own checksums as the store reads them with its part number: one that ends in "-N", or that is the
 * whole object's, is the object's checksum answered for the part, not the part's, and is left out.
 */
function partChecksums(part: ObjectMeta, whole: ObjectMeta): Record<string, string> {
  const out: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = part.checksums?.[algorithm];
    if (value !== undefined && !isComposite(value) && value !== whole.checksums?.[algorithm]) out[`Checksum${algorithm}`] = value;
  }
  return out;
}

/** The ObjectParts element of a multipart object: its count, and the page of parts asked for when the store can read them. */
async function objectParts(call: ObjectCall, meta: ObjectMeta, count: number): Promise<Record<string, unknown>> {
  const maxParts = Math.min(wholeNumber(call, 'x-amz-max-parts', MAX_PARTS, 2 ** 31 - 1), MAX_PARTS);
  const marker = wholeNumber(call, 'x-amz-part-number-marker', 0, 2 ** 31 - 1);
  const numbers = Array.from({ length: Math.max(0, Math.min(count - marker, maxParts)) }, (_, i) => marker + i + 1);
  const parts: Record<string, unknown>[] = [];
  try {
    for (const partNumber of numbers) {
      const part = await call.store.headObject({ bucket: call.bucket, key: call.key, partNumber, customerKey: readKeyOf(call), signal: call.signal });
      parts.push({ PartNumber: partNumber, Size: part.size, ...partChecksums(part, meta) });
    }
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === 'NotImplemented')) throw err;
    return { PartsCount: count }; // a store that cannot read parts by number
  }
  const last = numbers.at(-1);
  const truncated = last !== undefined && last < count;
  return {
    PartsCount: count,
    PartNumberMarker: marker,
    ...(truncated && { NextPartNumberMarker: last }),
    MaxParts: maxParts,
    IsTruncated: String(truncated),
    ...(parts.length > 0 && { Part: parts }),
  };
}

async function attributesOf(call: ObjectCall, meta: ObjectMeta, asked: Set<Attribute>): Promise<Record<string, unknown>> {
  const checksum = asked.has('Checksum') ? checksumOf(meta) : undefined;
  const parts = asked.has('ObjectParts') && meta.partsCount !== undefined ? await objectParts(call, meta, meta.partsCount) : undefined;
  return {
    ...(asked.has('ETag') && { ETag: meta.etag.replace(/^"|"$/g, '') }), // unquoted, unlike the ETag header
    ...(checksum && { Checksum: checksum }),
    ...(parts && { ObjectParts: parts }),
    ...(asked.has('StorageClass') && { StorageClass: 'STANDARD' }),
    ...(asked.has('ObjectSize') && { ObjectSize: meta.size }),
  };
}

export const ATTRIBUTES_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'GetObjectAttributes',
    method: 'GET',
    target: 'object',
    query: 'attributes',
    async handle(call) {
      assertAllowed(call.request, 'read', call.bucket, call.key);
      const asked = askedAttributes(header(call, 'x-amz-object-attributes'));
      const meta = await call.store.headObject({ bucket: call.bucket, key: call.key, customerKey: readKeyOf(call), signal: call.signal });
      call.reply.header('last-modified', meta.lastModified.toUTCString());
      return sendXml(call.reply, 'GetObjectAttributesResponse', await attributesOf(call, meta, asked));
    },
  },
];
