/** Requests that fail a route's schema are told in words, one sentence per field, never in the validator's jargon. */
import assert from 'node:assert/strict';
import { request } from 'undici';
import { describeSchemaFailures } from '../../src/http/validation.js';
import { fsServers } from '../hardening/support.js';
import { after, before, describe, it } from '../helpers/suites.js';

describe('v1 schema refusals', () => {
  const fx = fsServers();
  let url = '';
  before(async () => {
    await fx.open();
    url = (await fx.serve()).url;
    await (await request(`${url}/v1/buckets/words`, { method: 'PUT' })).body.dump();
  });
  after(() => fx.close());

  const refusal = async (path: string, init: { method?: 'GET' | 'POST'; json?: unknown } = {}) => {
    const res = await request(`${url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json), headers: { 'content-type': 'application/json' } }),
    });
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(body.error.code, 'InvalidArgument');
    return body.error.message;
  };

  for (const [what, path, init, message] of [
    ['a number over its maximum', '/v1/buckets/words/objects?limit=5000', {}, 'Invalid request: the query parameter "limit" must be at most 1000.'],
    ['a number that is text', '/v1/buckets/words/objects?limit=many', {}, 'Invalid request: the query parameter "limit" must be a whole number.'],
    ['an empty cursor', '/v1/buckets/words/objects?cursor=', {}, 'Invalid request: the query parameter "cursor" must not be empty.'],
    ['a malformed path parameter', '/v1/links/abc', {}, 'Invalid request: the path parameter "id" must match the pattern ^[0-9a-f]{32}$.'],
    ['a missing field', '/v1/links', { method: 'POST', json: { bucket: 'words', kind: 'download' } }, 'Invalid request: the field "key" is required.'],
    ['a value outside a union of literals', '/v1/links', { method: 'POST', json: { bucket: 'words', key: 'k', kind: 'dl' } }, 'Invalid request: the field "kind" must be "download" or "upload".'],
    ['a malformed date', '/v1/links', { method: 'POST', json: { bucket: 'words', key: 'k', kind: 'download', expiresAt: 'soon' } }, 'Invalid request: the field "expiresAt" must be a date-time such as 2026-12-31T23:59:59Z.'],
    ['a body that is not an object', '/v1/links', { method: 'POST', json: [1] }, 'Invalid request: the body must be a JSON object.'],
  ] as const) {
    it(`words ${what}`, async () => {
      const text = await refusal(path, init);
      assert.equal(text, message);
      assert.doesNotMatch(text, /querystring\/|body\/|params\/|must be <=|must match a schema/);
    });
  }

  it('names each offending field once, and the union of a type and null', () => {
    const text = describeSchemaFailures('body', [
      { instancePath: '/maxUses', keyword: 'type', params: { type: 'integer' } },
      { instancePath: '/maxUses', keyword: 'type', params: { type: 'null' } },
      { instancePath: '/maxUses', keyword: 'anyOf', params: {} },
      { instancePath: '/grants/0/bucket', keyword: 'minLength', params: { limit: 3 } },
    ]);
    assert.equal(text, 'Invalid request: the field "maxUses" must be a whole number or null; the field "grants[0].bucket" must be at least 3 characters long.');
  });
});
