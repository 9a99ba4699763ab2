/**
 * Listing and reading share links on every store: per bucket and all, paged, never with tokens; and the
 * four link operations in the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, it } from '../helpers/suites.js';
import { assertError, dropBucket, uniqueBucket } from '../http/v1-support.js';
import { type CreatedLink, type LinkView, linkSuite } from './support.js';

interface Page {
  links: LinkView[];
  nextCursor?: string;
}

linkSuite('share link listing', (fx) => {
  const other = uniqueBucket('others');
  const mine: CreatedLink[] = [];
  let elsewhere: CreatedLink;

  before(async () => {
    assert.equal((await fx.call('PUT', `/v1/buckets/${other}`)).status, 201);
    mine.push(await fx.createLink({ key: 'a.txt' }));
    mine.push(await fx.createLink({ key: 'b.txt', maxUses: 5, expiresIn: 3600 }));
    mine.push(await fx.createLink({ key: 'in/c.txt', kind: 'upload' }));
    elsewhere = await fx.createLink({ key: 'd.txt', bucket: other });
  });
  after(() => dropBucket(fx.server.store, other));

  const list = async (query: string) => {
    const res = await fx.call('GET', `/v1/links${query}`);
    assert.equal(res.status, 200, res.text);
    return res.json<Page>();
  };

  it("lists a bucket's links, without their tokens", async () => {
    const page = await list(`?bucket=${fx.bucket}`);
    assert.deepEqual(page.links.map((l) => l.id).sort(), mine.map((l) => l.id).sort());
    for (const link of page.links) {
      assert.ok(!('token' in link) && !('url' in link), 'no token in a listing');
      const created = mine.find((l) => l.id === link.id);
      assert.ok(created);
      assert.deepEqual({ ...link, token: created.token, url: created.url }, created, 'as created, but the token');
    }
    assert.equal(page.nextCursor, undefined);
    assert.deepEqual((await list(`?bucket=${other}`)).links.map((l) => l.id), [elsewhere.id]);
  });

  it('lists every link without a bucket (an admin listing)', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...page.links.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    for (const link of [...mine, elsewhere]) assert.ok(ids.includes(link.id), link.id);
  });

  it('pages with limit and cursor', async () => {
    const first = await list(`?bucket=${fx.bucket}&limit=2`);
    assert.equal(first.links.length, 2);
    assert.ok(first.nextCursor);
    const second = await list(`?bucket=${fx.bucket}&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
    assert.equal(second.links.length, 1);
    assert.equal(second.nextCursor, undefined);
    const seen = [...first.links, ...second.links].map((l) => l.id).sort();
    assert.deepEqual(seen, mine.map((l) => l.id).sort());
  });

  it('shows state and uses as they change', async () => {
    const [a, b] = mine;
    assert.ok(a && b);
    await fx.call('PUT', fx.objectPath('b.txt'), { body: 'bee' });
    assert.equal((await fx.useLink('GET', b.token)).status, 200);
    await fx.call('DELETE', `/v1/links/${a.id}`);
    const byId = new Map((await list(`?bucket=${fx.bucket}`)).links.map((l) => [l.id, l]));
    assert.equal(byId.get(a.id)?.state, 'revoked');
    assert.deepEqual([byId.get(b.id)?.state, byId.get(b.id)?.uses], ['active', 1]);
  });

  it('answers an empty list for a bucket without links, and 400 for a bad bucket name or limit', async () => {
    assert.deepEqual((await list('?bucket=links-none-here')).links, []);
    assertError(await fx.call('GET', '/v1/links?bucket=Bad_Name'), 400, 'InvalidBucketName');
    assertError(await fx.call('GET', '/v1/links?limit=0'), 400, 'InvalidArgument');
  });

  it('documents the link operations in the OpenAPI document', async () => {
    const doc = (await fx.call('GET', '/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    assert.deepEqual(Object.keys(doc.paths['/v1/links'] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/v1/links/{id}'] ?? {}).sort(), ['delete', 'get']);
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/s/')), 'the public link routes are not v1');
  });

  it('answers 405 with Allow for other methods', async () => {
    const res = await fx.call('PUT', '/v1/links');
    assertError(res, 405, 'MethodNotAllowed');
    assert.equal(res.headers['allow'], 'GET, POST, HEAD');
  });
});
