/**
 * An object's tags (?tagging): GetObjectTagging, PutObjectTagging (replaces them all), DeleteObjectTagging.
 * S3's limits (at most 10 tags, key and value lengths) are the checked store's; a key given twice is refused here.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import { ServiceError } from '../../../../errors/codes.js';
import type { Tags } from '../../../../storage/types.js';
import type { S3Operation } from '../operation.js';
import { childrenOf, listOf, parseXml, sendXml, textOf } from '../xml.js';
import { readDocument } from './request-document.js';

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` as tags. */
export function tagsFromDocument(text: string): Tags {
  const tagSet = childrenOf(parseXml(text, 'Tagging')['TagSet']);
  const tags: Tags = {};
  for (const tag of listOf(tagSet['Tag'])) {
    const fields = childrenOf(tag);
    const key = textOf(fields['Key']);
    const value = textOf(fields['Value']);
    if (key === undefined || value === undefined) throw new ServiceError('MalformedXML', 'Each <Tag> must have a <Key> and a <Value>.');
    if (Object.hasOwn(tags, key)) throw new ServiceError('InvalidTag', `Cannot provide multiple Tags with the same key: "${key}".`);
    tags[key] = value;
  }
  return tags;
}

export const OBJECT_TAGGING_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'GetObjectTagging',
    method: 'GET',
    target: 'object',
    query: 'tagging',
    async handle(call) {
      assertAllowed(call.request, 'read', call.bucket, call.key);
      const tags = await call.store.getObjectTagging({ bucket: call.bucket, key: call.key, signal: call.signal });
      const listed = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      return sendXml(call.reply, 'Tagging', { TagSet: listed.length > 0 ? { Tag: listed } : '' });
    },
  },
  {
    name: 'PutObjectTagging',
    method: 'PUT',
    target: 'object',
    query: 'tagging',
    async handle(call) {
      assertAllowed(call.request, 'write', call.bucket, call.key);
      const tags = tagsFromDocument(await readDocument(call));
      await call.store.putObjectTagging({ bucket: call.bucket, key: call.key, tags, signal: call.signal });
      return call.reply.send();
    },
  },
  {
    name: 'DeleteObjectTagging',
    method: 'DELETE',
    target: 'object',
    query: 'tagging',
    async handle(call) {
      assertAllowed(call.request, 'write', call.bucket, call.key);
      await call.store.deleteObjectTagging({ bucket: call.bucket, key: call.key, signal: call.signal });
      return call.reply.code(204).send();
    },
  },
];
