/**
 * Bad input on the tutorial API: the right status and a clear text/plain message, never a crash, a 500,
 * a hang, or something left behind. Runs on every store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';

const API = '/amazons3/imageStore';
const LIMIT = 1024 * 1024;

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * Sends a body with node:http, chunk by chunk, and resolves with the answer even when the server
 * answers (and closes) before the body is all sent, as it must for an oversized upload.
 */
function rawUpload(url: string, chunks: Buffer[], headers: Record<string, string | number> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // the server may close the socket while we are still writing: the response (if any) is what counts
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    const writeNext = (i: number) => {
      if (i >= chunks.length) {
        req.end();
        return;
      }
      if (req.destroyed) return;
      req.write(chunks[i], () => setImmediate(() => writeNext(i + 1)));
    };
    writeNext(0);
  });
}

for (const target of storesUnderTest()) {
  describe(`tutorial API errors on ${target.name}`, { skip: target.skip }, () => {
    let server: TestServer;
    let cleanup: () => Promise<void>;
    const bucket = `errs-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

    before(async () => {
      const opened = await target.open();
      cleanup = opened.cleanup;
      server = await startServer(opened.store, { maxObjectSize: LIMIT });
      await server.store.createBucket({ bucket });
    });
    after(async () => {
      const { objects } = await server.store.listObjects({ bucket });
      for (const o of objects) await server.store.deleteObject({ bucket, key: o.key });
      await server.store.deleteBucket({ bucket });
      await server.close();
      await cleanup?.();
    });

    async function expectError(
      method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH',
      path: string,
      status: number,
      message: RegExp,
      body?: Buffer,
    ) {
      const res = await request(`${server.url}${path}`, { method, body });
      const text = await res.body.text();
      assert.equal(res.statusCode, status, `${method} ${path}: ${text}`);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(text, message);
      assert.ok(res.headers['x-request-id'], 'every answer carries a request id');
      return res;
    }

    it('refuses invalid bucket names with 400', async () => {
      for (const name of ['Bad_Name', 'ab', 'a'.repeat(64), '-dash', 'dot..dot', '192.168.1.1', 'xn--punycode']) {
        await expectError('POST', `${API}/${encodeURIComponent(name)}`, 400, /Invalid bucket name/);
      }
      await expectError('POST', `${API}/Bad_Name/key`, 400, /Invalid bucket name/, Buffer.from('x'));
    });

    it('answers 409 for a bucket that exists and for deleting a non-empty bucket', async () => {
      await expectError('POST', `${API}/${bucket}`, 409, /exists/i);
      await server.store.putObject({ bucket, key: 'pin', body: Readable.from([Buffer.from('x')]) });
      await expectError('DELETE', `${API}/${bucket}`, 409, /not empty/i);
      await server.store.deleteObject({ bucket, key: 'pin' });
    });

    it('answers 404 for missing buckets and keys', async () => {
      const missing = `${bucket}-missing`;
      await expectError('GET', `${API}/${missing}`, 404, /bucket/i);
      await expectError('DELETE', `${API}/${missing}`, 404, /bucket/i);
      await expectError('POST', `${API}/${missing}/key`, 404, /bucket/i, Buffer.from('data'));
      await expectError('GET', `${API}/${missing}/key`, 404, /bucket/i);
      await expectError('GET', `${API}/${bucket}/no-such-key`, 404, /key/i);
      await expectError('DELETE', `${API}/${bucket}/no-such-key`, 404, /key/i);
    });

    it('limits keys to 1024 bytes', async () => {
      await expectError('POST', `${API}/${bucket}/${'k'.repeat(1025)}`, 400, /1024/, Buffer.from('x'));
      const ok = await request(`${server.url}${API}/${bucket}/${'k'.repeat(1024)}`, { method: 'POST', body: 'x' });
      assert.equal(ok.statusCode, 200);
      await ok.body.dump();
    });

    it('refuses a malformed responseContentType with 400', async () => {
      await server.store.putObject({ bucket, key: 'typed', body: Readable.from([Buffer.from('t')]) });
      for (const query of ['responseContentType=', 'responseContentType=not%20a%20type', 'responseContentType=a/b&responseContentType=c/d', 'responseContentType=text/html%0d%0aX-Evil:%201']) {
        await expectError('GET', `${API}/${bucket}/typed?${query}`, 400, /responseContentType/);
      }
    });

    it('refuses kept headers that are not US-ASCII with 400 (as S3 would), storing nothing', async () => {
      const answer = await rawUpload(`${server.url}${API}/${bucket}/latin1`, [Buffer.from('x')], {
        'content-length': 1,
        'cache-control': 'max-age=60, caf\xe9',
      });
      assert.equal(answer.status, 400);
      assert.match(answer.body, /cache-control must be US-ASCII/);
      const head = await request(`${server.url}${API}/${bucket}/latin1`);
      assert.equal(head.statusCode, 404);
      await head.body.dump();
    });

    it('answers unknown routes with 404 and wrong methods with 405', async () => {
      await expectError('GET', '/nothing-here', 404, /No route/);
      await expectError('GET', '/amazons3/elsewhere', 404, /No route/);
      const res = await expectError('PUT', `${API}/${bucket}`, 405, /not allowed/);
      assert.match(String(res.headers['allow']), /POST/);
      await expectError('PATCH', `${API}/${bucket}/key`, 405, /not allowed/);
    });

    it('refuses a body over the limit by its Content-Length with 413, storing nothing', async () => {
      const answer = await rawUpload(`${server.url}${API}/${bucket}/too-big-declared`, [randomBytes(LIMIT + 1)], {
        'content-length': LIMIT + 1,
      });
      assert.equal(answer.status, 413);
      assert.match(answer.body, /limit/);
      const head = await request(`${server.url}${API}/${bucket}/too-big-declared`);
      assert.equal(head.statusCode, 404);
      await head.body.dump();
    });

    it('cuts off a chunked body that crosses the limit with 413, storing nothing', async () => {
      const chunks = Array.from({ length: 40 }, () => randomBytes(64 * 1024));
      const answer = await rawUpload(`${server.url}${API}/${bucket}/too-big-chunked`, chunks, {
        'transfer-encoding': 'chunked',
      });
      assert.equal(answer.status, 413);
      const head = await request(`${server.url}${API}/${bucket}/too-big-chunked`);
      assert.equal(head.statusCode, 404);
      await head.body.dump();
    });

    it('leaves nothing behind when the client disconnects mid-upload', async () => {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(`${server.url}${API}/${bucket}/half-sent`, {
          method: 'POST',
          headers: { 'content-length': 512 * 1024 },
        });
        req.on('error', () => resolve());
        req.write(randomBytes(128 * 1024), (err) => {
          if (err) return reject(err);
          setTimeout(() => req.destroy(), 100);
        });
      });
      // give the server a moment to notice and clean up, then check nothing is there
      for (let i = 0; i < 50; i++) {
        const res = await request(`${server.url}${API}/${bucket}/half-sent`);
        await res.body.dump();
        assert.equal(res.statusCode, 404);
        await new Promise((r) => setTimeout(r, 10));
      }
      const alive = await request(`${server.url}${API}`);
      assert.equal(alive.statusCode, 200, 'the service still answers');
      await alive.body.dump();
    });

    it('keeps keys with slashes, dots, spaces, percent signs and unicode as sent', async () => {
      const keys = ['a', 'a/b', '../x', 'a//b', 'dir/', 'sp ace', '100%', 'q?hash#', 'é/中文/😀', 'back\\slash'];
      for (const key of keys) {
        // encoded whole (slashes as %2F): a URL parser would otherwise resolve the ".." segment itself
        const path = `${API}/${bucket}/${encodeURIComponent(key)}`;
        const put = await request(`${server.url}${path}`, { method: 'POST', body: `value of ${key}` });
        assert.equal(put.statusCode, 200, key);
        assert.equal(await put.body.text(), `${key} created on Amazon S3 bucket : ${bucket}.`);
        const get = await request(`${server.url}${path}`);
        assert.equal(await get.body.text(), `value of ${key}`, key);
      }
      const listing = (await (await request(`${server.url}${API}/${bucket}`)).body.json()) as Array<{ objectName: string }>;
      for (const key of keys) assert.ok(listing.some((o) => o.objectName === key), `${key} is listed`);
    });
  });
}
