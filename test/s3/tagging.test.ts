/**
 * Tags on the s3 store on Ceph RGW: with a PUT of one part and of many (RGW 16 ignores x-amz-tagging on
 * CreateMultipartUpload), awkward keys and values, the tagging directive of small copies, and refusals.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from '../helpers/suites.js';
import { MiB, rejectsWith, rgwFixture, skipUnlessS3, streamOf } from './rgw-fixture.js';

describe('s3 store tags on RGW', skipUnlessS3, () => {
  const rgw = rgwFixture({ partSize: 5 * MiB });
  const { bucket } = rgw;
  const awkward = { 'a&b=c': 'x=y&z', 'é ü': '100% sure', plus: 'a+b', empty: '' };

  it('keeps the tags of a PUT, whether it went as one request or in parts', async () => {
    const store = rgw.store();
    await store.putObject({ bucket, key: 'one', body: streamOf(Buffer.from('small')), tags: awkward });
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'one' }), awkward);
    const big = randomBytes(11 * MiB);
    const meta = await store.putObject({ bucket, key: 'parts', body: streamOf(big), tags: { went: 'in parts' } });
    assert.match(meta.etag, /-3"$/);
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'parts' }), { went: 'in parts' });
  });

  it('replaces and deletes tags, and keeps or replaces them on a small copy', async () => {
    const store = rgw.store();
    await store.putObject({ bucket, key: 'src', body: streamOf(Buffer.from('src')), tags: { a: '1' } });
    await store.putObjectTagging({ bucket, key: 'src', tags: awkward });
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'src' }), awkward);
    await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'kept' });
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'kept' }), awkward);
    await store.copyObject({ sourceBucket: bucket, sourceKey: 'src', bucket, key: 'new', taggingDirective: 'REPLACE', tags: { b: '2' } });
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'new' }), { b: '2' });
    await store.deleteObjectTagging({ bucket, key: 'src' });
    assert.deepEqual(await store.getObjectTagging({ bucket, key: 'src' }), {});
  });

  it('answers NoSuchKey and NoSuchBucket for tags of what is missing', async () => {
    const store = rgw.store();
    await rejectsWith(store.getObjectTagging({ bucket, key: 'missing' }), 'NoSuchKey');
    await rejectsWith(store.putObjectTagging({ bucket, key: 'missing', tags: { a: 'b' } }), 'NoSuchKey');
    await rejectsWith(store.getObjectTagging({ bucket: `${bucket}-missing`, key: 'k' }), 'NoSuchBucket');
  });

  it('refuses the metadata name that carries the tags of a multipart upload', async () => {
    const store = rgw.store();
    const metadata = { 's3gate-upload-tagging': 'a=b' };
    await rejectsWith(store.putObject({ bucket, key: 'reserved', body: streamOf(Buffer.from('x')), metadata }), 'InvalidArgument');
    await rejectsWith(store.createMultipartUpload({ bucket, key: 'reserved', metadata }), 'InvalidArgument');
    await store.putObject({ bucket, key: 'plain', body: streamOf(Buffer.from('x')) });
    await rejectsWith(
      store.copyObject({ sourceBucket: bucket, sourceKey: 'plain', bucket, key: 'reserved', metadataDirective: 'REPLACE', headers: { metadata } }),
      'InvalidArgument',
    );
    await rejectsWith(store.headObject({ bucket, key: 'reserved' }), 'NoSuchKey');
  });
});
