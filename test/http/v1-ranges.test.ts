/**
 * REST API v1 download semantics on every store: each Range form (206, 416 with Content-Range, ignored
 * when malformed), and the conditionals in RFC 9110 order (304 with validators and no body, 412).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from '../helpers/suites.js';
import { assertError, type Answer, v1Suite } from './v1-support.js';

const SIZE = 100;
const data = randomBytes(SIZE);

v1Suite('v1 ranges and conditionals', (fx) => {
  let etag = '';
  let lastModified = '';
  const get = (headers: Record<string, string>, method = 'GET', key = 'data') => fx.call(method, fx.objectPath(key), { headers });
  const hourFrom = (date: string, hours: number) => new Date(Date.parse(date) + hours * 3600_000).toUTCString();

  before(async () => {
    const put = await fx.call('PUT', fx.objectPath('data'), { body: data });
    assert.equal(put.status, 201);
    await fx.call('PUT', fx.objectPath('empty'), { body: '' });
    const head = await get({}, 'HEAD');
    etag = String(head.headers['etag']);
    lastModified = String(head.headers['last-modified']);
  });

  function assertPartial(res: Answer, start: number, end: number, method = 'GET') {
    assert.equal(res.status, 206, res.text);
    assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${SIZE}`);
    assert.equal(res.headers['content-length'], String(end - start + 1));
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['etag'], etag);
    if (method === 'GET') assert.ok(res.body.equals(data.subarray(start, end + 1)), 'the bytes of the range');
    else assert.equal(res.body.length, 0);
  }

  function assertWhole(res: Answer, what: string) {
    assert.equal(res.status, 200, what);
    assert.equal(res.headers['content-range'], undefined, what);
    assert.ok(res.body.equals(data), what);
  }

  function assertNotModified(res: Answer, what: string) {
    assert.equal(res.status, 304, what);
    assert.equal(res.headers['etag'], etag, what);
    assert.equal(res.headers['last-modified'], lastModified, what);
    assert.equal(res.body.length, 0, what);
  }

  it('serves bytes=a-b, bytes=a-, bytes=-n with 206 and Content-Range, on GET and HEAD', async () => {
    for (const method of ['GET', 'HEAD']) {
      assertPartial(await get({ range: 'bytes=10-19' }, method), 10, 19, method);
      assertPartial(await get({ range: 'bytes=90-' }, method), 90, 99, method);
      assertPartial(await get({ range: 'bytes=-10' }, method), 90, 99, method);
      assertPartial(await get({ range: 'bytes=0-0' }, method), 0, 0, method);
      assertPartial(await get({ range: 'bytes=95-1000' }, method), 95, 99, method); // clamped to the end
      assertPartial(await get({ range: 'bytes=-1000' }, method), 0, 99, method); // more than there is
      assertPartial(await get({ range: 'bytes=99-99' }, method), 99, 99, method);
    }
  });

  it('answers an unsatisfiable range with 416 and Content-Range: bytes */size', async () => {
    for (const range of ['bytes=100-', 'bytes=100-200', 'bytes=-0', 'bytes=99999999999999999999-']) {
      const res = await get({ range });
      assertError(res, 416, 'InvalidRange', range);
      assert.equal(res.headers['content-range'], `bytes */${SIZE}`, range);
      const head = await get({ range }, 'HEAD');
      assert.equal(head.status, 416, range);
      assert.equal(head.headers['content-range'], `bytes */${SIZE}`);
    }
    const empty = await get({ range: 'bytes=0-' }, 'GET', 'empty');
    assertError(empty, 416, 'InvalidRange', 'any range of an empty object');
    assert.equal(empty.headers['content-range'], 'bytes */0');
    assertError(await get({ range: 'bytes=-5' }, 'GET', 'empty'), 416, 'InvalidRange');
  });

  it('ignores a malformed or multi-range header: 200 with the whole object', async () => {
    for (const range of ['bytes=abc', 'bytes=5-1', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes 0-1', 'bytes=1-2-3']) {
      assertWhole(await get({ range }), range);
    }
  });

  it('If-None-Match: 304 with the validators and no body when a tag matches (weakly), else 200', async () => {
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      assertNotModified(await get({ 'if-none-match': value }), value);
      assertNotModified(await get({ 'if-none-match': value }, 'HEAD'), `HEAD ${value}`);
    }
    assertWhole(await get({ 'if-none-match': '"other"' }), 'no match');
  });

  it('If-Match: 200 when a tag matches strongly, else 412 PreconditionFailed', async () => {
    assertWhole(await get({ 'if-match': etag }), 'match');
    assertWhole(await get({ 'if-match': '*' }), '*');
    assertWhole(await get({ 'if-match': `"x", ${etag}` }), 'in a list');
    for (const value of ['"other"', `W/${etag}`]) {
      assertError(await get({ 'if-match': value }), 412, 'PreconditionFailed', value);
      assert.equal((await get({ 'if-match': value }, 'HEAD')).status, 412, `HEAD ${value}`);
    }
  });

  it('If-Modified-Since: 304 unless modified after the date; an invalid date is ignored', async () => {
    assertNotModified(await get({ 'if-modified-since': lastModified }), 'same second');
    assertNotModified(await get({ 'if-modified-since': hourFrom(lastModified, 1) }), 'later');
    assertNotModified(await get({ 'if-modified-since': hourFrom(lastModified, 1) }, 'HEAD'), 'HEAD later');
    assertWhole(await get({ 'if-modified-since': hourFrom(lastModified, -1) }), 'earlier');
    assertWhole(await get({ 'if-modified-since': 'not a date' }), 'invalid');
  });

  it('If-Unmodified-Since: 412 when modified after the date; an invalid date is ignored', async () => {
    assertError(await get({ 'if-unmodified-since': hourFrom(lastModified, -1) }), 412, 'PreconditionFailed');
    assertWhole(await get({ 'if-unmodified-since': lastModified }), 'same second');
    assertWhole(await get({ 'if-unmodified-since': 'garbage' }), 'invalid');
  });

  it('evaluates in RFC 9110 order', async () => {
    // If-Match fails first, whatever If-None-Match says
    assertError(await get({ 'if-match': '"other"', 'if-none-match': etag }), 412, 'PreconditionFailed');
    // If-Match present: If-Unmodified-Since is not evaluated
    assertWhole(await get({ 'if-match': etag, 'if-unmodified-since': hourFrom(lastModified, -1) }), 'IUS ignored');
    // If-None-Match present: If-Modified-Since is not evaluated
    assertWhole(await get({ 'if-none-match': '"other"', 'if-modified-since': hourFrom(lastModified, 1) }), 'IMS ignored');
    // preconditions before the range: 304 rather than 206 or 416
    assertNotModified(await get({ 'if-none-match': etag, range: 'bytes=0-9' }), 'range + 304');
    assertNotModified(await get({ 'if-none-match': etag, range: 'bytes=500-' }), 'unsatisfiable + 304');
    assertNotModified(await get({ 'if-none-match': etag, range: 'bytes=-5' }), 'suffix + 304');
    assertError(await get({ 'if-match': '"other"', range: 'bytes=500-' }), 412, 'PreconditionFailed');
    assertPartial(await get({ 'if-match': etag, range: 'bytes=0-9' }), 0, 9);
  });

  it('If-Range: the range applies only when the validator still matches', async () => {
    assertPartial(await get({ 'if-range': etag, range: 'bytes=0-9' }), 0, 9);
    assertPartial(await get({ 'if-range': lastModified, range: 'bytes=-5' }), 95, 99);
    assertPartial(await get({ 'if-range': etag, range: 'bytes=0-9' }, 'HEAD'), 0, 9, 'HEAD');
    assertWhole(await get({ 'if-range': '"other"', range: 'bytes=0-9' }), 'other tag');
    assertWhole(await get({ 'if-range': `W/${etag}`, range: 'bytes=0-9' }), 'weak tag');
    assertWhole(await get({ 'if-range': hourFrom(lastModified, -1), range: 'bytes=0-9' }), 'other date');
  });
});
