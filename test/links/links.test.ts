/**
 * Share links on every store: creating them, downloading and uploading through /s/{token} with what v1
 * downloads and uploads have (headers, Range, conditionals, ?download), tampered tokens, the wrong kind,
 * bad creation requests, and the system bucket kept out of every face's reach.
 */
import assert from 'node:assert/strict';
import { it } from '../helpers/suites.js';
import { assertError, call } from '../http/v1-support.js';
import { assertRefused, linkSuite } from './support.js';

const HTML = Buffer.from('<!doctype html><script>alert(1)</script><p>hello, link</p>');

/** The token with the hex digit at `index` changed (the '.' at 32 becomes a digit). */
function flipped(token: string, index: number): string {
  const char = token[index] ?? '';
  const other = char === '.' ? '0' : ((parseInt(char, 16) + 1) % 16).toString(16);
  return token.slice(0, index) + other + token.slice(index + 1);
}

linkSuite('share links', (fx) => {
  it('creates a download link: 201 with id, token and url; no expiry, no use limit by default', async () => {
    await fx.call('PUT', fx.objectPath('page.html'), { body: HTML, headers: { 'content-type': 'text/html' } });
    const link = await fx.createLink({ key: 'page.html' });
    assert.match(link.id, /^[0-9a-f]{32}$/);
    assert.match(link.token, /^[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.ok(link.token.startsWith(`${link.id}.`), 'the token names the link');
    assert.equal(link.url, `${fx.server.url}/s/${link.token}`);
    assert.deepEqual(
      { bucket: link.bucket, key: link.key, kind: link.kind, state: link.state, uses: link.uses, maxUses: link.maxUses, expiresAt: link.expiresAt },
      { bucket: fx.bucket, key: 'page.html', kind: 'download', state: 'active', uses: 0, maxUses: null, expiresAt: null },
    );
    assert.ok(Math.abs(Date.parse(link.createdAt) - Date.now()) < 60_000);
  });

  it('downloads through the link with the headers of a v1 download, and never lets a page run or leak the URL', async () => {
    const link = await fx.createLink({ key: 'page.html' });
    const res = await fx.useLink('GET', link.token);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.equals(HTML));
    assert.equal(res.headers['content-type'], 'text/html');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['cache-control'], 'private, no-store');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    const head = await fx.useLink('HEAD', link.token);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], String(HTML.length));
    assert.equal(head.headers['etag'], res.headers['etag']);
    const named = await fx.useLink('GET', link.token, { query: '?download' });
    assert.equal(named.headers['content-disposition'], 'attachment; filename="page.html"; filename*=UTF-8\'\'page.html');
  });

  it('serves Range and conditional requests on a link', async () => {
    const link = await fx.createLink({ key: 'page.html' });
    const part = await fx.useLink('GET', link.token, { headers: { range: 'bytes=2-5' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 2-5/${HTML.length}`);
    assert.ok(part.body.equals(HTML.subarray(2, 6)));
    const tail = await fx.useLink('GET', link.token, { headers: { range: 'bytes=-4' } });
    assert.ok(tail.body.equals(HTML.subarray(-4)));
    const beyond = await fx.useLink('GET', link.token, { headers: { range: `bytes=${HTML.length}-` } });
    assertError(beyond, 416, 'InvalidRange');
    const etag = String(part.headers['etag']);
    assert.equal((await fx.useLink('GET', link.token, { headers: { 'if-none-match': etag } })).status, 304);
    assertError(await fx.useLink('GET', link.token, { headers: { 'if-match': '"nope"' } }), 412, 'PreconditionFailed');
  });

  it('uploads through an upload link, once by default, with the kept headers and metadata of a v1 upload', async () => {
    const link = await fx.createLink({ key: 'inbox/report.csv', kind: 'upload' });
    assert.equal(link.maxUses, 1);
    const res = await fx.useLink('PUT', link.token, {
      body: 'a,b\n1,2\n',
      headers: { 'content-type': 'text/csv', 'x-amz-meta-from': 'a link' },
    });
    assert.equal(res.status, 201, res.text);
    const { bucket, key, size } = res.json();
    assert.deepEqual({ bucket, key, size }, { bucket: fx.bucket, key: 'inbox/report.csv', size: 8 });
    const stored = await fx.call('GET', fx.objectPath('inbox/report.csv'));
    assert.equal(stored.text, 'a,b\n1,2\n');
    assert.equal(stored.headers['content-type'], 'text/csv');
    assert.equal(stored.headers['x-amz-meta-from'], 'a link');
    assertRefused(await fx.useLink('PUT', link.token, { body: 'again' }), /link used up/);
    assert.equal((await fx.call('GET', fx.objectPath('inbox/report.csv'))).text, 'a,b\n1,2\n', 'the refused upload changed nothing');
    assert.equal((await fx.readLink(link.id)).state, 'used-up');
  });

  it('does only what its kind says', async () => {
    const upload = await fx.createLink({ key: 'page.html', kind: 'upload' });
    const download = await fx.createLink({ key: 'page.html' });
    assertRefused(await fx.useLink('GET', upload.token), /link is for uploads only/);
    assert.equal((await fx.useLink('HEAD', upload.token)).status, 403);
    assertRefused(await fx.useLink('PUT', download.token, { body: 'x' }), /link is for downloads only/);
    const other = await fx.useLink('POST', download.token);
    assertError(other, 405, 'MethodNotAllowed');
    assert.equal(other.headers['allow'], 'GET, HEAD, PUT');
  });

  it('refuses a tampered, truncated or made-up token with "not a valid link"', async () => {
    const link = await fx.createLink({ key: 'page.html' });
    const forged = [
      ...[0, 17, 31, 32, 33, 50, 64].map((i) => flipped(link.token, i)),
      link.token.slice(0, -1),
      `${link.token}0`,
      link.token.toUpperCase(),
      `${link.id}.${'0'.repeat(32)}`,
      'x',
      'a/b',
    ];
    for (const token of forged) assertRefused(await fx.useLink('GET', token), /not a valid link/, token);
    assertRefused(await call(fx.server.url, 'GET', '/s/'), /not a valid link/);
    assert.equal((await fx.useLink('GET', link.token)).status, 200, 'the real token still works');
  });

  it('answers 404 for a link whose object is gone, without counting a use', async () => {
    const link = await fx.createLink({ key: 'not-there-yet.txt', maxUses: 1 });
    assertError(await fx.useLink('GET', link.token), 404, 'NoSuchKey');
    assert.equal((await fx.readLink(link.id)).uses, 0);
    await fx.call('PUT', fx.objectPath('not-there-yet.txt'), { body: 'now it is' });
    assert.equal((await fx.useLink('GET', link.token)).text, 'now it is');
  });

  it('refuses bad creation requests', async () => {
    const post = (json: unknown) => fx.call('POST', '/v1/links', { json });
    const base = { bucket: fx.bucket, key: 'page.html', kind: 'download' };
    const soon = new Date(Date.now() + 60_000).toISOString();
    assertError(await post({ ...base, expiresIn: 60, expiresAt: soon }), 400, 'InvalidArgument', 'both expiries');
    assertError(await post({ ...base, expiresAt: '2001-01-01T00:00:00Z' }), 400, 'InvalidArgument', 'past');
    assertError(await post({ ...base, expiresAt: 'tomorrow' }), 400, 'InvalidArgument', 'not a date');
    // dates the schema's date-time format lets through, but that no Date can hold (or that it would move)
    for (const [at, why] of [
      ['2027-12-31T23:59:60Z', /leap second/],
      ['2027-06-30T21:59:60-02:00', /leap second/],
      ['2027-02-30T12:00:00Z', /(day that does not exist|date-time)/],
      ['2027-02-29T12:00:00Z', /(day that does not exist|date-time)/],
    ] as const) {
      const res = await post({ ...base, expiresAt: at });
      assertError(res, 400, 'InvalidArgument', at);
      assert.match(res.text, why, at);
    }
    assert.equal((await post({ ...base, expiresAt: '2028-02-29T12:00:00Z' })).status, 201, 'a real leap day is fine');
    assertError(await post({ ...base, expiresIn: 0 }), 400, 'InvalidArgument', 'no time');
    assertError(await post({ ...base, maxUses: 0 }), 400, 'InvalidArgument', 'no use');
    assertError(await post({ ...base, kind: 'delete' }), 400, 'InvalidArgument', 'kind');
    assertError(await post({ ...base, owner: 'me' }), 400, 'InvalidArgument', 'unknown field');
    assertError(await post({ ...base, key: '' }), 400, 'InvalidArgument', 'empty key');
    assertError(await post({ ...base, bucket: 'Not_A_Bucket' }), 400, 'InvalidBucketName');
    assertError(await post({ ...base, bucket: 'links-no-such-bucket-here' }), 404, 'NoSuchBucket');
  });

  it('keeps its state in a system bucket that no face lists or reaches', async () => {
    const link = await fx.createLink({ key: 'page.html' });
    const hidden = fx.server.store.kind === 'fs' ? '.s3gate-system' : fx.systemBucket;
    const stored = await fx.server.store.listObjects({ bucket: hidden, prefix: 'share-links/links/' });
    assert.ok(stored.objects.some((o) => o.key.includes(link.id)), 'the record is in the store');
    const names = (await fx.call('GET', '/v1/buckets')).json<{ buckets: { name: string }[] }>().buckets.map((b) => b.name);
    assert.ok(names.includes(fx.bucket) && !names.includes(hidden), names.join(' '));
    const tutorial = (await fx.call('GET', '/amazons3/imageStore')).json<{ name: string }[]>().map((b) => b.name);
    assert.ok(tutorial.includes(fx.bucket) && !tutorial.includes(hidden));
    const reach = [
      await fx.call('GET', `/v1/buckets/${hidden}/objects`),
      await fx.call('GET', fx.objectPath('share-links/secret.json', hidden)),
      await fx.call('PUT', fx.objectPath('share-links/secret.json', hidden), { body: '{}' }),
      await fx.call('DELETE', `/v1/buckets/${hidden}?force=true`),
      await fx.call('POST', '/v1/copy', {
        json: { source: { bucket: hidden, key: 'share-links/secret.json' }, destination: { bucket: fx.bucket, key: 'stolen' } },
      }),
      await fx.call('POST', '/v1/links', { json: { bucket: hidden, key: 'share-links/secret.json', kind: 'download' } }),
    ];
    for (const res of reach) {
      // fs: the name is not a bucket name at all; s3: a real bucket, refused by name
      if (fx.server.store.kind === 'fs') assertError(res, 400, 'InvalidBucketName');
      else assertError(res, 403, 'AccessDenied');
    }
    assert.equal((await fx.call('GET', fx.objectPath('stolen'))).status, 404);
  });
});
