/**
 * Presigned URLs made by the AWS SDK's presigner (@aws-sdk/s3-request-presigner, default settings) and used
 * with plain fetch(): they work within their window, and are refused outside it, beyond seven days, or
 * altered in any way, storing nothing.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { before, describe, it } from '../helpers/suites.js';
import { storesUnderTest } from '../helpers/server.js';
import { assertAbsent, refused, s3Client, s3Fixture } from '../helpers/s3-fixture.js';

const KEY = { id: 'AKIDPRESIGNER', secret: 'presign-test-secret-of-forty-characters' };
const KEYS = { auth: { keys: [{ id: KEY.id, secret: KEY.secret, grants: [{ bucket: '*', actions: ['admin', 'read', 'list', 'write', 'delete'] }] }] } };

/** A query value of a URL replaced (or added). */
function withQuery(url: string, name: string, value: string): string {
  const changed = new URL(url);
  changed.searchParams.set(name, value);
  return changed.toString();
}

for (const under of storesUnderTest()) {
  describe(`Presigned URLs with fetch() (${under.name})`, { skip: under.skip }, () => {
    const fixture = s3Fixture({ store: under, settings: KEYS, credentials: KEY, bucketPrefix: 'presigned' });
    const { bucket } = fixture;
    let s3: S3Client;
    before(() => {
      ({ s3 } = fixture);
    });

    it('uploads with a presigned PUT and downloads with a presigned GET, keys that need encoding included', async () => {
      for (const key of ['plain.txt', 'dir/a b+c=d&e.txt', 'ünï/çødé ✓.bin']) {
        const data = Buffer.from(`bytes of ${key}`);
        const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
        const uploaded = await fetch(put, { method: 'PUT', body: data });
        assert.equal(uploaded.status, 200, await uploaded.text());
        const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
        const downloaded = await fetch(get);
        assert.equal(downloaded.status, 200);
        assert.deepEqual(Buffer.from(await downloaded.arrayBuffer()), data);
        assert.equal(downloaded.headers.get('etag'), uploaded.headers.get('etag'));
      }
    });

    it('refuses an altered URL with SignatureDoesNotMatch and stores nothing', async () => {
      const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'signed-for' }), { expiresIn: 300 });
      const otherKey = put.replace('/signed-for?', '/other-key?');
      await refused(fetch(otherKey, { method: 'PUT', body: 'x' }), 'SignatureDoesNotMatch', 403);
      await refused(fetch(withQuery(put, 'X-Amz-Expires', '600'), { method: 'PUT', body: 'x' }), 'SignatureDoesNotMatch', 403);
      await refused(fetch(withQuery(put, 'response-content-type', 'text/html'), { method: 'PUT', body: 'x' }), 'SignatureDoesNotMatch', 403);
      const signature = new URL(put).searchParams.get('X-Amz-Signature') ?? '';
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      await refused(fetch(withQuery(put, 'X-Amz-Signature', flipped), { method: 'PUT', body: 'x' }), 'SignatureDoesNotMatch', 403);
      // a URL presigned for a GET does not let a PUT through
      const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed-for' }), { expiresIn: 300 });
      await refused(fetch(get, { method: 'PUT', body: 'x' }), 'SignatureDoesNotMatch', 403);
      for (const key of ['signed-for', 'other-key']) await assertAbsent(s3, bucket, key);
    });
  });
}

describe('Presigned URLs: their window of validity', () => {
  const fixture = s3Fixture({ settings: KEYS, credentials: KEY, bucketPrefix: 'window' });
  const { bucket } = fixture;
  let s3: S3Client;
  before(async () => {
    ({ s3 } = fixture);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'there', Body: 'content' }));
  });

  it('refuses a URL once it expired, whether it lived a second or was signed long ago', async () => {
    const short = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'there' }), { expiresIn: 1 });
    assert.equal((await fetch(short)).status, 200);
    await sleep(2100);
    await refused(fetch(short), 'AccessDenied', 403, 'Request has expired.');
    const old = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'late' }), { expiresIn: 3600, signingDate: new Date(Date.now() - 2 * 3600_000) });
    await refused(fetch(old, { method: 'PUT', body: 'x' }), 'AccessDenied', 403, 'Request has expired.');
    await assertAbsent(s3, bucket, 'late');
  });

  it('refuses a URL signed for later than the clock allows (not valid yet)', async () => {
    const future = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'there' }), { expiresIn: 300, signingDate: new Date(Date.now() + 20 * 60_000) });
    await refused(fetch(future), 'AccessDenied', 403, /not valid yet/);
  });

  it('refuses a life beyond seven days (or none) with AuthorizationQueryParametersError, before any signature is checked', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'there' }), { expiresIn: 604800 });
    assert.equal((await fetch(url)).status, 200, 'seven days exactly is allowed');
    await refused(fetch(withQuery(url, 'X-Amz-Expires', '604801')), 'AuthorizationQueryParametersError', 400, /seven days/);
    await refused(fetch(withQuery(url, 'X-Amz-Expires', '0')), 'AuthorizationQueryParametersError', 400);
    const noCredential = new URL(url);
    noCredential.searchParams.delete('X-Amz-Credential');
    await refused(fetch(noCredential), 'AuthorizationQueryParametersError', 400);
  });

  it('refuses a URL presigned with a key the service does not know', async () => {
    const stranger = s3Client(fixture.server.url, { id: 'AKIDSTRANGER', secret: 'a-secret-nobody-knows' });
    const url = await getSignedUrl(stranger, new GetObjectCommand({ Bucket: bucket, Key: 'there' }), { expiresIn: 60 });
    await refused(fetch(url), 'InvalidAccessKeyId', 403);
    stranger.destroy();
  });
});
