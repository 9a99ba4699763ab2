/**
 * REST API v1 on every store: listing (prefix, delimiter, startAfter, limit, cursor paging), batch
 * delete with per-key results, delete by prefix, and copy / move across buckets.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, it } from '../helpers/suites.js';
import { assertError, dropBucket, uniqueBucket, v1Suite } from './v1-support.js';

interface Listing {
  objects: Array<{ key: string; size: number; etag: string; lastModified: string; storageClass: string }>;
  folders: string[];
  isTruncated: boolean;
  nextCursor?: string;
}

const KEYS = ['a.txt', 'docs/readme.md', 'photos/1.jpg', 'photos/2.jpg', 'photos/2024/x.jpg', 'z'];

v1Suite('v1 listing, deletes and copies', (fx) => {
  const other = uniqueBucket('dst');
  const list = async (query: string) => {
    const res = await fx.call('GET', `/v1/buckets/${fx.bucket}/objects${query}`);
    assert.equal(res.status, 200, `${query}: ${res.text}`);
    return res.json<Listing>();
  };
  const put = async (key: string, body = key, headers: Record<string, string> = {}, bucket = fx.bucket) => {
    const res = await fx.call('PUT', fx.objectPath(key, bucket), { body, headers });
    assert.equal(res.status, 201, res.text);
  };

  before(async () => {
    for (const key of KEYS) await put(key);
    assert.equal((await fx.call('PUT', `/v1/buckets/${other}`)).status, 201);
  });
  after(() => dropBucket(fx.server.store, other));

  it('lists every key in order with its size, ETag, date and storage class', async () => {
    const page = await list('');
    assert.deepEqual(page.objects.map((o) => o.key), KEYS);
    assert.deepEqual(page.folders, []);
    assert.equal(page.isTruncated, false);
    assert.equal('nextCursor' in page, false, 'no cursor on the last page');
    const first = page.objects[0];
    assert.ok(first);
    assert.deepEqual(Object.keys(first).sort(), ['etag', 'key', 'lastModified', 'size', 'storageClass']);
    assert.equal(first.size, 'a.txt'.length);
    assert.match(first.etag, /^"[0-9a-f]{32}"$/);
    assert.match(first.lastModified, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof first.storageClass, 'string');
  });

  it('filters by prefix and groups by delimiter into folders', async () => {
    assert.deepEqual((await list('?prefix=photos/')).objects.map((o) => o.key), ['photos/1.jpg', 'photos/2.jpg', 'photos/2024/x.jpg']);
    const top = await list('?delimiter=/');
    assert.deepEqual(top.objects.map((o) => o.key), ['a.txt', 'z']);
    assert.deepEqual(top.folders, ['docs/', 'photos/']);
    const photos = await list('?prefix=photos/&delimiter=/');
    assert.deepEqual(photos.objects.map((o) => o.key), ['photos/1.jpg', 'photos/2.jpg']);
    assert.deepEqual(photos.folders, ['photos/2024/']);
    assert.deepEqual((await list('?prefix=nothing/')).objects, []);
    assert.deepEqual((await list('?prefix=&delimiter=')).objects.length, KEYS.length, 'empty means none');
  });

  it('starts after a key', async () => {
    assert.deepEqual((await list('?startAfter=photos/1.jpg')).objects.map((o) => o.key), KEYS.slice(3));
    assert.deepEqual((await list('?startAfter=zz')).objects, []);
  });

  it('pages with limit and cursor until isTruncated is false', async () => {
    for (const [query, size] of [['?limit=2', 2], ['?limit=1', 1], ['?limit=4&delimiter=/', 4]] as const) {
      const seen: string[] = [];
      let page = await list(query);
      for (let pages = 1; ; pages++) {
        assert.ok(page.objects.length + page.folders.length <= size, `${query}: at most limit entries`);
        seen.push(...page.objects.map((o) => o.key), ...page.folders);
        if (!page.isTruncated) break;
        assert.ok(page.nextCursor, 'a truncated page has a cursor');
        assert.ok(pages < 10, 'paging ends');
        page = await list(`${query}&cursor=${encodeURIComponent(page.nextCursor)}`);
      }
      const all = query.includes('delimiter') ? [...(await list('?delimiter=/')).objects.map((o) => o.key), ...['docs/', 'photos/']] : KEYS;
      assert.deepEqual(seen.sort(), [...all].sort(), query);
    }
  });

  it('refuses a bad limit with 400 InvalidArgument; 404 NoSuchBucket for a missing bucket', async () => {
    for (const limit of ['0', '1001', 'ten', '1.5']) {
      assertError(await fx.call('GET', `/v1/buckets/${fx.bucket}/objects?limit=${limit}`), 400, 'InvalidArgument', limit);
    }
    assertError(await fx.call('GET', `/v1/buckets/${fx.bucket}-gone/objects`), 404, 'NoSuchBucket');
  });

  it('never answers a forged cursor with a 5xx', async () => {
    for (const cursor of ['garbage', 'AAAA', '%00', 'x'.repeat(2000)]) {
      const res = await fx.call('GET', `/v1/buckets/${fx.bucket}/objects?cursor=${encodeURIComponent(cursor)}`);
      assert.ok(res.status === 200 || res.status === 400, `${cursor.slice(0, 10)}: ${res.status} ${res.text}`);
    }
  });

  it('batch-deletes keys, reporting each one: deleted, or an error with its code', async () => {
    await put('batch/1');
    await put('batch/2');
    const res = await fx.call('POST', `/v1/buckets/${fx.bucket}/delete`, {
      json: { keys: ['batch/1', 'batch/2', 'batch/missing', '', 'k'.repeat(1025), 'batch/1'] },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ deleted: string[]; errors: Array<{ key: string; code: string; message: string }> }>();
    assert.deepEqual(body.deleted, ['batch/1', 'batch/2']);
    assert.deepEqual(
      body.errors.map((e) => [e.key.slice(0, 20), e.code]),
      [['batch/missing', 'NoSuchKey'], ['', 'InvalidKey'], ['k'.repeat(20), 'KeyTooLongError']],
    );
    assert.ok(body.errors.every((e) => e.message.length > 0));
    assertError(await fx.call('GET', fx.objectPath('batch/1')), 404, 'NoSuchKey');
  });

  it('takes 1 to 1000 keys a batch; 404 for a missing bucket', async () => {
    const path = `/v1/buckets/${fx.bucket}/delete`;
    const thousand = Array.from({ length: 1000 }, (_, i) => `nope/${'k'.repeat(1000)}${i}`);
    const full = await fx.call('POST', path, { json: { keys: thousand } });
    assert.equal(full.status, 200, full.text);
    assert.equal(full.json<{ errors: unknown[] }>().errors.length, 1000);
    assertError(await fx.call('POST', path, { json: { keys: [...thousand, 'one more'] } }), 400, 'InvalidArgument');
    assertError(await fx.call('POST', path, { json: { keys: [] } }), 400, 'InvalidArgument');
    assertError(await fx.call('POST', path, { json: { keys: [{ key: 'a' }] } }), 400, 'InvalidArgument');
    assertError(await fx.call('POST', path, { json: {} }), 400, 'InvalidArgument');
    assertError(await fx.call('POST', path, { body: '{"keys": [', headers: { 'content-type': 'application/json' } }), 400, 'InvalidRequest');
    assertError(await fx.call('POST', `/v1/buckets/${fx.bucket}-gone/delete`, { json: { keys: ['a'] } }), 404, 'NoSuchBucket');
  });

  it('deletes every key under a prefix, and only those', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `tmp/${String(i).padStart(2, '0')}`);
    for (const key of [...keys, 'tmp/deep/er', 'tmpfile']) await put(key);
    const res = await fx.call('DELETE', `/v1/buckets/${fx.bucket}/objects?prefix=tmp/`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { deleted: 26 });
    assert.deepEqual((await list('?prefix=tmp')).objects.map((o) => o.key), ['tmpfile']);
    assert.deepEqual((await fx.call('DELETE', `/v1/buckets/${fx.bucket}/objects?prefix=tmp/`)).json(), { deleted: 0 });
  });

  it('deletes by prefix across listing pages (more than 1000 keys)', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    const store = fx.server.store;
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(keys.slice(i, i + 25).map((key) => store.putObject({ bucket: fx.bucket, key, body: Readable.from([Buffer.from('m')]) })));
    }
    const res = await fx.call('DELETE', `/v1/buckets/${fx.bucket}/objects?prefix=many/`);
    assert.deepEqual(res.json(), { deleted: 1005 });
    assert.deepEqual((await list('?prefix=many/')).objects, []);
  });

  it('requires a non-empty prefix to delete by prefix', async () => {
    assertError(await fx.call('DELETE', `/v1/buckets/${fx.bucket}/objects`), 400, 'InvalidArgument');
    assertError(await fx.call('DELETE', `/v1/buckets/${fx.bucket}/objects?prefix=`), 400, 'InvalidArgument');
    assertError(await fx.call('DELETE', `/v1/buckets/${fx.bucket}-gone/objects?prefix=a`), 404, 'NoSuchBucket');
    assert.equal((await list('')).objects.length > 0, true, 'nothing deleted');
  });

  it('copies across buckets with the bytes, kept headers and metadata; the source stays', async () => {
    await put('src/doc.json', '{"a":1}', { 'content-type': 'application/json', 'cache-control': 'no-cache', 'x-amz-meta-origin': 'test' });
    const res = await fx.call('POST', '/v1/copy', {
      json: { source: { bucket: fx.bucket, key: 'src/doc.json' }, destination: { bucket: other, key: 'copies/doc.json' } },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['bucket', 'etag', 'key', 'lastModified', 'size']);
    assert.equal(body['bucket'], other);
    assert.equal(body['key'], 'copies/doc.json');
    assert.equal(body['size'], 7);
    const copy = await fx.call('GET', fx.objectPath('copies/doc.json', other));
    assert.equal(copy.text, '{"a":1}');
    assert.equal(copy.headers['content-type'], 'application/json');
    assert.equal(copy.headers['cache-control'], 'no-cache');
    assert.equal(copy.headers['x-amz-meta-origin'], 'test');
    assert.equal(copy.headers['etag'], body['etag']);
    assert.equal((await fx.call('HEAD', fx.objectPath('src/doc.json'))).status, 200, 'the source stays');
  });

  it('moves across buckets: the source is gone afterwards', async () => {
    await put('src/moving', 'moving bytes');
    const res = await fx.call('POST', '/v1/copy', {
      json: { source: { bucket: fx.bucket, key: 'src/moving' }, destination: { bucket: other, key: 'moved' }, move: true },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((await fx.call('GET', fx.objectPath('moved', other))).text, 'moving bytes');
    assertError(await fx.call('GET', fx.objectPath('src/moving')), 404, 'NoSuchKey');
  });

  it('answers copy errors: 404 for a missing source or bucket, 400 for bad names or the same object', async () => {
    const copy = (source: object, destination: object, move = false) => fx.call('POST', '/v1/copy', { json: { source, destination, move } });
    const here = (key: string) => ({ bucket: fx.bucket, key });
    assertError(await copy(here('no/such'), here('x')), 404, 'NoSuchKey');
    assertError(await copy({ bucket: `${fx.bucket}-gone`, key: 'a.txt' }, here('x')), 404, 'NoSuchBucket');
    assertError(await copy(here('a.txt'), { bucket: `${fx.bucket}-gone`, key: 'x' }), 404, 'NoSuchBucket');
    assertError(await copy(here('a.txt'), { bucket: 'Bad_Bucket', key: 'x' }), 400, 'InvalidBucketName');
    assertError(await copy(here('a.txt'), here('')), 400, 'InvalidKey');
    assertError(await copy(here('a.txt'), here('a.txt'), true), 400, 'InvalidArgument');
    assertError(await fx.call('POST', '/v1/copy', { json: { source: here('a.txt') } }), 400, 'InvalidArgument');
    assert.equal((await fx.call('GET', fx.objectPath('a.txt'))).text, 'a.txt', 'the move onto itself deleted nothing');
  });
});
