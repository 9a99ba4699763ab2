/**
 * GetObjectAttributes (GET ?attributes): what x-amz-object-attributes asks of an object's metadata, from one
 * headObject. Of a multipart object it tells how many parts it has, not each part (the store keeps no
 * per-part record of a completed object), so the part-paging headers change nothing.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import { CHECKSUM_ALGORITHMS, type ObjectMeta } from '../../../../storage/types.js';
import { header } from '../context.js';
import type { S3Operation } from '../operation.js';
import { sendXml } from '../xml.js';

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

/** A multipart object's checksum is of its parts' checksums: "-N" says so in HeadObject, ChecksumType here. */
function checksumOf(meta: ObjectMeta): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let composite = false;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = meta.checksums?.[algorithm];
    if (value === undefined) continue;
    const parts = /^(.*)-\d+$/.exec(value);
    composite ||= parts !== null;
    out[`Checksum${algorithm}`] = parts?.[1] ?? value;
  }
  if (Object.keys(out).length === 0) return undefined;
  return { ...out, ChecksumType: composite ? 'COMPOSITE' : 'FULL_OBJECT' };
}

function attributesOf(meta: ObjectMeta, asked: Set<Attribute>): Record<string, unknown> {
  const checksum = asked.has('Checksum') ? checksumOf(meta) : undefined;
  return {
    ...(asked.has('ETag') && { ETag: meta.etag.replace(/^"|"$/g, '') }), // unquoted, unlike the ETag header
    ...(checksum && { Checksum: checksum }),
    ...(asked.has('ObjectParts') && meta.partsCount !== undefined && { ObjectParts: { PartsCount: meta.partsCount } }),
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
      const meta = await call.store.headObject({ bucket: call.bucket, key: call.key, signal: call.signal });
      call.reply.header('last-modified', meta.lastModified.toUTCString());
      return sendXml(call.reply, 'GetObjectAttributesResponse', attributesOf(meta, asked));
    },
  },
];
