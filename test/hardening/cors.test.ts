/**
 * CORS: off by default; with exact origins configured, preflights (PUT with custom headers) and simple
 * requests from those origins only, answered before authentication and rate limits can refuse them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import type { TestServer } from '../helpers/server.js';
import { fsServers } from './support.js';

const APP = 'https://app.example';
const SECRET = 'cors-test-secret-0123456789';
const KEY = { id: 'corskey', secretHash: `sha256:${createHash('sha256').update(SECRET).digest('hex')}`, grants: [{ bucket: '*', actions: ['read', 'list', 'write', 'admin'] }] };

function preflight(url: string, origin: string) {
  return request(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization, content-type, x-amz-meta-owner',
    },
  });
}

describe('CORS', () => {
  const fx = fsServers();
  let plain: TestServer;
  let withCors: TestServer;

  before(async () => {
    await fx.open();
    plain = await fx.serve();
    withCors = await fx.serve({
      cors: { origins: [APP, 'http://localhost:3000'] },
      auth: { keys: [KEY] },
      rateLimit: { perAddress: 12 },
      trustProxy: ['127.0.0.1'], // loopback is not limited per address: the 429 test names another client
    });
  });
  after(() => fx.close());

  it('is off by default: no CORS headers on a preflight or a request', async () => {
    const pre = await preflight(`${plain.url}/v1/buckets/b/objects/a.txt`, APP);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    await pre.body.dump();
    const res = await request(`${plain.url}/v1/buckets`, { headers: { origin: APP } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    await res.body.dump();
  });

  it('answers a preflight for PUT with custom headers from an allowed origin, without a key', async () => {
    const res = await preflight(`${withCors.url}/v1/buckets/b/objects/a.txt`, APP);
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.match(String(res.headers['access-control-allow-methods']), /\bPUT\b/);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
    for (const h of ['authorization', 'content-type', 'x-amz-meta-owner']) assert.ok(allowed.includes(h), allowed);
    assert.equal(res.headers['access-control-max-age'], '600');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.match(String(res.headers['vary']), /origin/i);
    await res.body.dump();
  });

  it('does not allow another origin', async () => {
    const pre = await preflight(`${withCors.url}/v1/buckets/b/objects/a.txt`, 'https://evil.example');
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    await pre.body.dump();
    const res = await request(`${withCors.url}/healthz`, { headers: { origin: 'https://app.example.evil' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    await res.body.dump();
  });

  it('marks requests from an allowed origin and exposes the headers a page needs', async () => {
    const auth = { authorization: `Bearer ${KEY.id}.${SECRET}`, origin: APP };
    const bucket = await request(`${withCors.url}/v1/buckets/cors-bucket`, { method: 'PUT', headers: auth });
    assert.equal(bucket.statusCode, 201, await bucket.body.text());
    const put = await request(`${withCors.url}/v1/buckets/cors-bucket/objects/a.txt`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/plain', 'x-amz-meta-owner': 'ada' },
      body: 'hello',
    });
    assert.equal(put.statusCode, 201, await put.body.text());
    assert.equal(put.headers['access-control-allow-origin'], APP);

    const get = await request(`${withCors.url}/v1/buckets/cors-bucket/objects/a.txt`, { headers: auth });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['access-control-allow-origin'], APP);
    const exposed = String(get.headers['access-control-expose-headers']).toLowerCase().split(/\s*,\s*/);
    for (const h of ['etag', 'content-range', 'x-request-id', 'retry-after', '*']) assert.ok(exposed.includes(h), exposed.join());
    await get.body.dump();
  });

  it('marks refusals too, so that a page can read them (401, 429)', async () => {
    const denied = await request(`${withCors.url}/v1/buckets`, { headers: { origin: APP } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], APP);
    await denied.body.dump();
    let limited;
    for (let i = 0; i < 20 && limited === undefined; i++) {
      const res = await request(`${withCors.url}/v1/buckets`, { headers: { origin: APP, 'x-forwarded-for': '203.0.113.5' } });
      await res.body.dump();
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, 'the address limit was reached');
    assert.equal(limited.headers['access-control-allow-origin'], APP);
  });
});
