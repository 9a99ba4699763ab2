/** Object tags on the backend's tagging API (a PUT's and a multipart upload's tags go with x-amz-tagging). */
import { DeleteObjectTaggingCommand, GetObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import type { ObjectOptions, Tags, TaggingOptions } from '../types.js';
import type { Backend } from './backend.js';
import { tagSetOf, tagsOf } from './wire.js';

export async function getTags(b: Backend, opts: ObjectOptions): Promise<Tags> {
  const { bucket, key, signal } = opts;
  const out = await b.run({ bucket, key }, signal, () =>
    b.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
  );
  return tagsOf(out.TagSet);
}

export async function putTags(b: Backend, opts: TaggingOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  await b.run({ bucket, key }, signal, () =>
    b.client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: tagSetOf(opts.tags) } }), {
      abortSignal: signal,
    }),
  );
}

export async function deleteTags(b: Backend, opts: ObjectOptions): Promise<void> {
  const { bucket, key, signal } = opts;
  await b.run({ bucket, key }, signal, () =>
    b.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
  );
}
