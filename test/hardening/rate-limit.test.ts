/**
 * Rate limits: per client address (before authentication, so wrong secrets count; loopback clients not
 * limited per address), per access key across addresses, 429 with Retry-After in the face's error shape,
 * health checks exempt, 0 = off. Client addresses other than 127.0.0.1 come from X-Forwarded-For through a
 * trusted proxy (127.0.0.1).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { fsServers } from './support.js';

function key(id: string, secret: string) {
  const secretHash = `sha256:${createHash('sha256').update(secret).digest('hex')}`;
  return { id, secretHash, grants: [{ bucket: '*', actions: ['read', 'list'] }] };
}

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { headers });
  await res.body.dump();
  return res.statusCode;
}

async function statuses(n: number, url: string, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await statusOf(url, headers));
  return out;
}

/** A client at `address`, as the trusted proxy on 127.0.0.1 names it. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('rate limits', () => {
  const fx = fsServers();
  const start = (settings: Record<string, unknown>) => fx.serve(settings);
  before(() => fx.open());
  after(() => fx.close());

  it('answers 429 with Retry-After past the per-address limit, in each face shape', async () => {
    const server = await start({ trustProxy: ['127.0.0.1'], rateLimit: { perAddress: 5, windowMs: 60_000 } });
    const client = from('203.0.113.9');
    assert.deepEqual(await statuses(5, `${server.url}/v1/buckets`, client), [200, 200, 200, 200, 200]);

    const v1 = await request(`${server.url}/v1/buckets`, { headers: client });
    assert.equal(v1.statusCode, 429);
    const retryAfter = Number(v1.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    const body = (await v1.body.json()) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, 'TooManyRequests');
    assert.match(body.error.message, /from 203\.0\.113\.9: the limit is 5 per 60 s/);
    assert.equal(body.error.requestId, v1.headers['x-request-id']);

    const tutorial = await request(`${server.url}/amazons3/imageStore`, { headers: client });
    assert.equal(tutorial.statusCode, 429);
    assert.ok(Number(tutorial.headers['retry-after']) > 0);
    assert.match(String(tutorial.headers['content-type']), /^text\/plain/);
    assert.match(await tutorial.body.text(), /^Too many requests from 203\.0\.113\.9/);
  });

  it('never limits the health checks', async () => {
    const server = await start({ trustProxy: ['127.0.0.1'], rateLimit: { perAddress: 2 } });
    const client = from('203.0.113.9');
    assert.deepEqual(await statuses(3, `${server.url}/v1/buckets`, client), [200, 200, 429]);
    assert.deepEqual(await statuses(10, `${server.url}/healthz`, client), Array(10).fill(200));
    assert.deepEqual(await statuses(3, `${server.url}/readyz`, client), Array(3).fill(200));
  });

  it('does not limit loopback clients per address, but still limits their access keys', async () => {
    const server = await start({
      trustProxy: ['127.0.0.1'],
      auth: { keys: [key('local', 'local-secret-0123456789')] },
      rateLimit: { perAddress: 2, perKey: 4 },
    });
    // wrong secrets from loopback: never limited per address (401, not 429)
    const wrong = { authorization: 'Bearer local.not-the-secret' };
    assert.deepEqual(await statuses(6, `${server.url}/v1/buckets`, wrong), Array(6).fill(401));
    for (const address of ['127.0.0.1', '127.45.6.7', '::1', '::ffff:127.0.0.1']) {
      assert.deepEqual(await statuses(4, `${server.url}/v1/buckets`, { ...wrong, ...from(address) }), Array(4).fill(401), address);
    }
    assert.deepEqual(await statuses(3, `${server.url}/v1/buckets`, { ...wrong, ...from('::ffff:10.0.0.1') }), [401, 401, 429]);
    const keyed = { authorization: 'Bearer local.local-secret-0123456789' };
    assert.deepEqual(await statuses(5, `${server.url}/v1/buckets`, keyed), [200, 200, 200, 200, 429]);
  });

  it('counts each address apart (IPv6 by /64), behind a trusted proxy', async () => {
    const server = await start({ trustProxy: ['127.0.0.1'], rateLimit: { perAddress: 3 } });
    assert.deepEqual(await statuses(4, `${server.url}/v1/buckets`, from('203.0.113.1')), [200, 200, 200, 429]);
    assert.deepEqual(await statuses(3, `${server.url}/v1/buckets`, from('203.0.113.2')), [200, 200, 200]);
    assert.deepEqual(await statuses(2, `${server.url}/v1/buckets`, from('2001:db8::1')), [200, 200]);
    assert.deepEqual(await statuses(2, `${server.url}/v1/buckets`, from('2001:db8::2')), [200, 429]);
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    // the client stays 127.0.0.1, which is not limited per address; 203.0.113.1 would be after 2
    const server = await start({ trustProxy: ['192.0.2.1'], rateLimit: { perAddress: 2 } });
    assert.deepEqual(await statuses(4, `${server.url}/v1/buckets`, from('203.0.113.1')), [200, 200, 200, 200]);
  });

  it('counts wrong secrets against the address, so guessing is limited', async () => {
    const server = await start({ trustProxy: ['127.0.0.1'], auth: { keys: [key('reader', 'reader-secret-0123456789')] }, rateLimit: { perAddress: 4 } });
    const wrong = { authorization: 'Bearer reader.not-the-secret', ...from('203.0.113.9') };
    assert.deepEqual(await statuses(5, `${server.url}/v1/buckets`, wrong), [401, 401, 401, 401, 429]);
  });

  it('limits an access key across addresses, and each key apart', async () => {
    const server = await start({
      trustProxy: ['127.0.0.1'],
      auth: { keys: [key('busy', 'busy-secret-0123456789'), key('calm', 'calm-secret-0123456789')] },
      rateLimit: { perAddress: 100, perKey: 4 },
    });
    const busy = (n: number) => ({ authorization: 'Bearer busy.busy-secret-0123456789', 'x-forwarded-for': `198.51.100.${n}` });
    const codes = [];
    for (let n = 1; n <= 5; n++) codes.push(await statusOf(`${server.url}/v1/buckets`, busy(n)));
    assert.deepEqual(codes, [200, 200, 200, 200, 429]);

    const res = await request(`${server.url}/v1/buckets`, { headers: busy(9) });
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.match(((await res.body.json()) as { error: { message: string } }).error.message, /with access key busy: the limit is 4/);

    const calm = { authorization: 'Bearer calm.calm-secret-0123456789', 'x-forwarded-for': '198.51.100.1' };
    assert.deepEqual(await statuses(4, `${server.url}/v1/buckets`, calm), [200, 200, 200, 200]);
  });

  it('is off at 0', async () => {
    const server = await start({ trustProxy: ['127.0.0.1'], rateLimit: { perAddress: 0, perKey: 0 } });
    const codes = await statuses(50, `${server.url}/v1/buckets`, from('203.0.113.9'));
    assert.ok(codes.every((c) => c === 200));
  });
});
