/** REST API v1 buckets: list, create, read, head, delete (and force), and the error shape, on every store. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, it } from '../helpers/suites.js';
import { assertError, dropBucket, uniqueBucket, v1Suite } from './v1-support.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

v1Suite('v1 buckets', (fx) => {
  const mine = uniqueBucket('b');
  after(() => dropBucket(fx.server.store, mine));

  it('creates a bucket: 201 with its name and creation date, 409 when it exists', async () => {
    const created = await fx.call('PUT', `/v1/buckets/${mine}`);
    assert.equal(created.status, 201, created.text);
    assert.match(String(created.headers['content-type']), /^application\/json/);
    const body = created.json<{ name: string; creationDate: string }>();
    assert.equal(body.name, mine);
    assert.match(body.creationDate, ISO);
    assertError(await fx.call('PUT', `/v1/buckets/${mine}`), 409, 'BucketAlreadyExists');
  });

  it('lists buckets', async () => {
    const res = await fx.call('GET', '/v1/buckets');
    assert.equal(res.status, 200);
    const { buckets } = res.json<{ buckets: Array<{ name: string; creationDate: string }> }>();
    const found = buckets.find((b) => b.name === mine);
    assert.ok(found, 'the new bucket is listed');
    assert.deepEqual(Object.keys(found).sort(), ['creationDate', 'name']);
    assert.match(found.creationDate, ISO);
  });

  it('reads and heads a bucket; 404 NoSuchBucket when absent', async () => {
    const res = await fx.call('GET', `/v1/buckets/${mine}`);
    assert.equal(res.status, 200);
    assert.equal(res.json()['name'], mine);
    const head = await fx.call('HEAD', `/v1/buckets/${mine}`);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assertError(await fx.call('GET', `/v1/buckets/${mine}-gone`), 404, 'NoSuchBucket');
    const missing = await fx.call('HEAD', `/v1/buckets/${mine}-gone`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.length, 0);
  });

  it('refuses invalid bucket names with 400 InvalidBucketName', async () => {
    for (const name of ['Bad_Name', 'ab', 'a'.repeat(64), 'dot..dot', '192.168.1.1']) {
      assertError(await fx.call('PUT', `/v1/buckets/${encodeURIComponent(name)}`), 400, 'InvalidBucketName', name);
    }
    assertError(await fx.call('GET', '/v1/buckets/Bad_Name/objects'), 400, 'InvalidBucketName');
  });

  it('refuses to delete a non-empty bucket (409), deletes it with force=true (204)', async () => {
    for (const key of ['one', 'dir/two', 'dir/sub/three']) {
      await fx.server.store.putObject({ bucket: mine, key, body: Readable.from([Buffer.from(key)]) });
    }
    assertError(await fx.call('DELETE', `/v1/buckets/${mine}`), 409, 'BucketNotEmpty');
    assert.equal((await fx.call('GET', `/v1/buckets/${mine}`)).status, 200, 'still there');
    const forced = await fx.call('DELETE', `/v1/buckets/${mine}?force=true`);
    assert.equal(forced.status, 204, forced.text);
    assert.equal(forced.body.length, 0);
    assertError(await fx.call('GET', `/v1/buckets/${mine}`), 404, 'NoSuchBucket');
  });

  it('deletes an empty bucket (204); 404 NoSuchBucket for a missing one, forced or not', async () => {
    const empty = uniqueBucket('e');
    assert.equal((await fx.call('PUT', `/v1/buckets/${empty}`)).status, 201);
    assert.equal((await fx.call('DELETE', `/v1/buckets/${empty}`)).status, 204);
    assertError(await fx.call('DELETE', `/v1/buckets/${empty}`), 404, 'NoSuchBucket');
    assertError(await fx.call('DELETE', `/v1/buckets/${empty}?force=true`), 404, 'NoSuchBucket');
  });

  it('refuses a bad force value with 400 InvalidArgument naming the parameter', async () => {
    const res = await fx.call('DELETE', `/v1/buckets/${fx.bucket}?force=maybe`);
    assertError(res, 400, 'InvalidArgument');
    assert.match(res.json<{ error: { message: string } }>().error.message, /force/);
  });

  it('answers unknown /v1 routes with 404 NotFound in JSON, and wrong methods with 405 and Allow', async () => {
    for (const path of ['/v1', '/v1/', '/v1/nothing', '/v1/buckets/x/y/z', '/v1/bucketz']) {
      assertError(await fx.call('GET', path), 404, 'NotFound', path);
    }
    const res = await fx.call('PATCH', `/v1/buckets/${fx.bucket}`);
    assertError(res, 405, 'MethodNotAllowed');
    assert.equal(res.headers['allow'], 'GET, HEAD, PUT, DELETE');
    assertError(await fx.call('POST', `/v1/buckets/${fx.bucket}`), 405, 'MethodNotAllowed');
    assertError(await fx.call('GET', '/v1/copy'), 405, 'MethodNotAllowed');
  });

  it('answers a malformed URL with 400 in the JSON shape, never a 5xx', async () => {
    for (const path of ['/v1/buckets/%ZZ', `/v1/buckets/${fx.bucket}/objects/%E0%A4%A`, `/v1/buckets/${fx.bucket}/objects/%ED%A0%80`]) {
      assertError(await fx.call('GET', path), 400, 'InvalidRequest', path);
    }
    assertError(await fx.call('PUT', `/v1/buckets/${fx.bucket}/objects/%ED%A0%80`, { body: 'x' }), 400, 'InvalidRequest');
    assertError(await fx.call('POST', '/v1/copy', { body: '<a/>', headers: { 'content-type': 'application/xml' } }), 415, 'InvalidRequest');
  });

  it('puts a request id on every answer, success or error', async () => {
    const ok = await fx.call('GET', '/v1/buckets');
    assert.match(String(ok.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const bad = await fx.call('GET', `/v1/buckets/${fx.bucket}-missing`);
    assert.notEqual(bad.headers['x-request-id'], ok.headers['x-request-id']);
  });
});
