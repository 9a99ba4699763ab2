/**
 * An object's tags (?tagging): GetObjectTagging, PutObjectTagging (replaces them all), DeleteObjectTagging.
 * S3's limits (at most 10 tags, key and value lengths) are the checked store's; a key given twice is refused here.
 */
import { assertAllowed } from '../../../../auth/authorize.js';
import type { S3Operation } from '../operation.js';
import { sendXml } from '../xml.js';
import { readDocument } from './request-document.js';
import { tagSetXml, tagsFromDocument } from './tagging-xml.js';

export const OBJECT_TAGGING_OPERATIONS: readonly S3Operation[] = [
  {
    name: 'GetObjectTagging',
    method: 'GET',
    target: 'object',
    query: 'tagging',
    async handle(call) {
      assertAllowed(call.request, 'read', call.bucket, call.key);
      const tags = await call.store.getObjectTagging({ bucket: call.bucket, key: call.key, signal: call.signal });
      return sendXml(call.reply, 'Tagging', tagSetXml(tags));
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
