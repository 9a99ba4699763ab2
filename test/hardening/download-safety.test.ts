/**
 * Uploaded content never runs in the service's origin: an HTML upload comes back on every download face
 * with nosniff and a sandboxing Content-Security-Policy, and v1's ?download makes it an attachment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import type { TestServer } from '../helpers/server.js';
import { fsServers } from './support.js';

const PAGE = '<!doctype html><script>fetch("/v1/buckets").then((r) => r.text()).then(alert)</script>';

function assertSandboxed(headers: Record<string, string | string[] | undefined>): void {
  assert.equal(headers['x-content-type-options'], 'nosniff');
  const csp = String(headers['content-security-policy']);
  assert.match(csp, /(^|;)\s*sandbox(\s|;|$)/, `CSP sandboxes: ${csp}`);
  assert.match(csp, /default-src 'none'/);
}

describe('content served from uploads', () => {
  const fx = fsServers();
  let server: TestServer;

  before(async () => {
    await fx.open();
    server = await fx.serve();
    await (await request(`${server.url}/v1/buckets/pages`, { method: 'PUT' })).body.dump();
    const put = await request(`${server.url}/amazons3/imageStore/pages/evil.html`, {
      method: 'POST',
      headers: { 'content-type': 'text/html' },
      body: PAGE,
    });
    assert.equal(put.statusCode, 200, await put.body.text());
  });
  after(() => fx.close());

  it('is sandboxed on the tutorial GET, with its stored type and with a chosen one', async () => {
    for (const query of ['', '?responseContentType=text/html', '?responseContentType=image/svg%2Bxml']) {
      const res = await request(`${server.url}/amazons3/imageStore/pages/evil.html${query}`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^(text\/html|image\/svg\+xml)/);
      assertSandboxed(res.headers);
      assert.equal(await res.body.text(), PAGE);
    }
  });

  it('is sandboxed on the v1 GET and HEAD', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await request(`${server.url}/v1/buckets/pages/objects/evil.html`, { method });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assertSandboxed(res.headers);
      await res.body.dump();
    }
  });

  it('is an attachment with ?download on v1', async () => {
    const res = await request(`${server.url}/v1/buckets/pages/objects/evil.html?download`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="evil\.html"/);
    assertSandboxed(res.headers);
    await res.body.dump();
  });

  it('is sandboxed on a range download too', async () => {
    const res = await request(`${server.url}/v1/buckets/pages/objects/evil.html`, { headers: { range: 'bytes=0-9' } });
    assert.equal(res.statusCode, 206);
    assertSandboxed(res.headers);
    await res.body.dump();
  });
});
