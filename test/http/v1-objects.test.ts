/**
 * REST API v1 uploads and downloads on every store: the kept headers and user metadata, Content-MD5,
 * If-None-Match: * / If-Match on PUT, the size limit, ?download names, security headers, delete, and
 * that HEAD never opens the body.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from '../helpers/suites.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { md5Hex } from '../helpers/streams.js';
import { assertError, v1Suite } from './v1-support.js';

const LIMIT = 256 * 1024;
/** Large enough that a download of this size outlasts the socket buffers of loopback. */
const LONG = 16 * 1024 * 1024;
const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');

interface Watch {
  /** getObject calls so far. */
  gets: number;
  /** The signal of the latest call, by method name. */
  signals: Map<string, AbortSignal>;
}

/** Watches the calls the API makes to the store: how many body reads, and the signals they carry. */
function watched(store: ObjectStore, watch: Watch): ObjectStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (name === 'getObject') watch.gets++;
        const signal = args.map((a) => (a as { signal?: unknown } | undefined)?.signal).find((s) => s instanceof AbortSignal);
        if (signal) watch.signals.set(String(name), signal);
        return Reflect.apply(value, target, args) as unknown;
      };
    },
  });
}

/** Sends the head of a body, waits until the store is writing it, then drops the connection. */
function abandonUpload(url: string, head: Buffer, started: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': head.length * 4 } });
    req.on('error', () => resolve());
    req.write(head);
    const poll = setInterval(() => {
      if (!started()) return;
      clearInterval(poll);
      req.destroy();
      resolve();
    }, 10);
  });
}

const reads: Watch = { gets: 0, signals: new Map() };

v1Suite(
  'v1 objects',
  (fx) => {
    it('uploads: 201 with bucket, key, size, MD5 ETag and date', async () => {
      const data = randomBytes(10_000);
      const res = await fx.call('PUT', fx.objectPath('docs/a.bin'), { body: data });
      assert.equal(res.status, 201, res.text);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['bucket', 'etag', 'key', 'lastModified', 'size']);
      assert.equal(body['bucket'], fx.bucket);
      assert.equal(body['key'], 'docs/a.bin');
      assert.equal(body['size'], data.length);
      assert.equal(body['etag'], `"${md5Hex(data)}"`);
      const got = await fx.call('GET', fx.objectPath('docs/a.bin'));
      assert.equal(got.status, 200);
      assert.ok(got.body.equals(data), 'the bytes come back');
      assert.equal(got.headers['content-type'], 'application/octet-stream', 'the default type');
    });

    it('keeps Content-Type, Cache-Control, Content-Disposition, Content-Encoding and x-amz-meta-* for GET and HEAD', async () => {
      const headers = {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'max-age=60',
        'content-disposition': 'inline; filename="page.html"',
        'content-encoding': 'identity',
        'x-amz-meta-color': 'blue',
        'x-amz-meta-Owner-Name': 'Ada Lovelace',
      };
      const put = await fx.call('PUT', fx.objectPath('page.html'), { body: '<script>alert(1)</script>', headers });
      assert.equal(put.status, 201, put.text);
      for (const method of ['GET', 'HEAD']) {
        const res = await fx.call(method, fx.objectPath('page.html'));
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], headers['content-type']);
        assert.equal(res.headers['cache-control'], headers['cache-control']);
        assert.equal(res.headers['content-disposition'], headers['content-disposition']);
        assert.equal(res.headers['content-encoding'], headers['content-encoding']);
        assert.equal(res.headers['x-amz-meta-color'], 'blue');
        assert.equal(res.headers['x-amz-meta-owner-name'], 'Ada Lovelace');
        assert.equal(res.headers['content-length'], '25');
        assert.equal(res.headers['accept-ranges'], 'bytes');
        assert.equal(res.headers['etag'], put.json()['etag']);
        assert.equal(res.headers['last-modified'], new Date(String(put.json()['lastModified'])).toUTCString());
        // an uploaded page never runs in the service's origin
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
        assert.equal(res.body.length, method === 'HEAD' ? 0 : 25);
      }
    });

    it('answers HEAD from the metadata alone, never opening the body', async () => {
      await fx.call('PUT', fx.objectPath('head-only'), { body: 'abc' });
      const before = reads.gets;
      const variants: Array<Record<string, string>> = [{}, { range: 'bytes=0-0' }, { 'if-none-match': '*' }, { range: 'bytes=9-' }];
      for (const headers of variants) {
        await fx.call('HEAD', fx.objectPath('head-only'), { headers });
      }
      assert.equal(reads.gets, before, 'no getObject for HEAD');
      await fx.call('GET', fx.objectPath('head-only'));
      assert.equal(reads.gets, before + 1);
    });

    it('aborts the store work when the client goes away mid-upload, storing nothing', async () => {
      reads.signals.delete('putObject');
      await abandonUpload(`${fx.server.url}${fx.objectPath('abandoned')}`, randomBytes(64 * 1024), () => reads.signals.has('putObject'));
      const signal = reads.signals.get('putObject');
      for (let i = 0; i < 100 && !signal?.aborted; i++) await sleep(20);
      assert.equal(signal?.aborted, true, 'the store was told to stop');
      assertError(await fx.call('GET', fx.objectPath('abandoned')), 404, 'NoSuchKey');
    });

    it('aborts the store read when the client goes away mid-download', async () => {
      await fx.server.store.putObject({ bucket: fx.bucket, key: 'long', body: Readable.from([randomBytes(LONG)]) });
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${fx.server.url}${fx.objectPath('long')}`, (res) => {
          assert.equal(res.statusCode, 200);
          res.once('data', () => {
            req.destroy(); // after the first bytes: the rest is still on its way
            resolve();
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve() : reject(err)));
      });
      const signal = reads.signals.get('getObject');
      for (let i = 0; i < 100 && !signal?.aborted; i++) await sleep(20);
      assert.equal(signal?.aborted, true, 'the store read was told to stop');
    });

    it('keeps unicode keys, spaces and slashes exactly', async () => {
      for (const key of ['dir/résumé "final".pdf', 'a b/c+d%e', '日本/語?#.txt', 'trailing/']) {
        const res = await fx.call('PUT', fx.objectPath(key), { body: key });
        assert.equal(res.status, 201, `${key}: ${res.text}`);
        assert.equal(res.json()['key'], key);
        const got = await fx.call('GET', fx.objectPath(key));
        assert.equal(got.text, key);
      }
    });

    it('checks Content-MD5: stored when it matches, 400 BadDigest and nothing stored when not', async () => {
      const data = Buffer.from('checked bytes');
      const ok = await fx.call('PUT', fx.objectPath('md5/ok'), { body: data, headers: { 'content-md5': md5Base64(data) } });
      assert.equal(ok.status, 201, ok.text);
      const wrong = md5Base64(Buffer.from('other bytes'));
      assertError(await fx.call('PUT', fx.objectPath('md5/bad'), { body: data, headers: { 'content-md5': wrong } }), 400, 'BadDigest');
      assertError(await fx.call('GET', fx.objectPath('md5/bad')), 404, 'NoSuchKey');
      // a mismatch over an existing object leaves the old one
      assertError(await fx.call('PUT', fx.objectPath('md5/ok'), { body: 'new', headers: { 'content-md5': wrong } }), 400, 'BadDigest');
      assert.equal((await fx.call('GET', fx.objectPath('md5/ok'))).text, 'checked bytes');
    });

    it('refuses a Content-MD5 that is not the base64 of 16 bytes with 400 InvalidArgument', async () => {
      for (const value of ['nope', md5Hex(Buffer.from('x')), 'AAAAAAAAAAAAAAAAAAAAAAAA', `${md5Base64(Buffer.from('x'))}AA`]) {
        const res = await fx.call('PUT', fx.objectPath('md5/malformed'), { body: 'x', headers: { 'content-md5': value } });
        assertError(res, 400, 'InvalidArgument', value);
      }
      assertError(await fx.call('GET', fx.objectPath('md5/malformed')), 404, 'NoSuchKey');
    });

    it('If-None-Match: * stores a new key and refuses to overwrite (412), keeping the old bytes', async () => {
      const first = await fx.call('PUT', fx.objectPath('once'), { body: 'first', headers: { 'if-none-match': '*' } });
      assert.equal(first.status, 201, first.text);
      assertError(await fx.call('PUT', fx.objectPath('once'), { body: 'second', headers: { 'if-none-match': '*' } }), 412, 'PreconditionFailed');
      assert.equal((await fx.call('GET', fx.objectPath('once'))).text, 'first');
      const tagged = await fx.call('PUT', fx.objectPath('once'), { body: 'x', headers: { 'if-none-match': '"abc"' } });
      assertError(tagged, 400, 'InvalidArgument', 'only * on PUT');
    });

    it('If-Match on PUT replaces only the object with that ETag', async () => {
      const v1 = await fx.call('PUT', fx.objectPath('guarded'), { body: 'v1' });
      const etag = String(v1.json()['etag']);
      const v2 = await fx.call('PUT', fx.objectPath('guarded'), { body: 'v2', headers: { 'if-match': etag } });
      assert.equal(v2.status, 201, v2.text);
      assertError(await fx.call('PUT', fx.objectPath('guarded'), { body: 'v3', headers: { 'if-match': etag } }), 412, 'PreconditionFailed');
      assertError(await fx.call('PUT', fx.objectPath('guarded'), { body: 'v3', headers: { 'if-match': `W/${String(v2.json()['etag'])}` } }), 412, 'PreconditionFailed', 'weak never matches');
      assert.equal((await fx.call('GET', fx.objectPath('guarded'))).text, 'v2');
      const any = await fx.call('PUT', fx.objectPath('guarded'), { body: 'v4', headers: { 'if-match': '*' } });
      assert.equal(any.status, 201, any.text);
      assertError(await fx.call('PUT', fx.objectPath('absent'), { body: 'x', headers: { 'if-match': '*' } }), 412, 'PreconditionFailed');
      assertError(await fx.call('PUT', fx.objectPath('absent'), { body: 'x', headers: { 'if-match': etag } }), 412, 'PreconditionFailed');
      assertError(await fx.call('GET', fx.objectPath('absent')), 404, 'NoSuchKey');
    });

    it('refuses a body over the limit with 413 EntityTooLarge, storing nothing', async () => {
      assertError(await fx.call('PUT', fx.objectPath('big'), { body: randomBytes(LIMIT + 1) }), 413, 'EntityTooLarge');
      assertError(await fx.call('GET', fx.objectPath('big')), 404, 'NoSuchKey');
      const exact = await fx.call('PUT', fx.objectPath('big'), { body: randomBytes(LIMIT) });
      assert.equal(exact.status, 201, 'the limit itself is allowed');
    });

    it('refuses user metadata over 2 KB, and non-ASCII kept headers, with 400 InvalidArgument', async () => {
      const res = await fx.call('PUT', fx.objectPath('meta/big'), { body: 'x', headers: { 'x-amz-meta-blob': 'v'.repeat(2100) } });
      assertError(res, 400, 'InvalidArgument');
      // S3 takes US-ASCII only there: both stores refuse the same uploads
      for (const headers of [{ 'x-amz-meta-name': 'caf\u00e9' }, { 'content-type': 'text/plain; x=\u00e9' }]) {
        const latin1 = await new Promise<number>((resolve, reject) => {
          const req = http.request(`${fx.server.url}${fx.objectPath('meta/latin1')}`, { method: 'PUT', headers }, (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end('x');
        });
        assert.equal(latin1, 400, JSON.stringify(headers));
      }
      assertError(await fx.call('GET', fx.objectPath('meta/latin1')), 404, 'NoSuchKey');
    });

    it('?download answers an attachment with an ASCII fallback and the exact UTF-8 name', async () => {
      const key = 'dir/résumé "final".pdf';
      await fx.call('PUT', fx.objectPath(key), { body: 'pdf', headers: { 'content-disposition': 'inline' } });
      const res = await fx.call('GET', `${fx.objectPath(key)}?download`);
      assert.equal(res.status, 200);
      assert.equal(
        res.headers['content-disposition'],
        `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
      );
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const named = await fx.call('GET', `${fx.objectPath(key)}?download=${encodeURIComponent('naïve\\plan%.txt')}`);
      assert.equal(named.headers['content-disposition'], `attachment; filename="na_ve_plan_.txt"; filename*=UTF-8''na%C3%AFve%5Cplan%25.txt`);
      const head = await fx.call('HEAD', `${fx.objectPath(key)}?download=a.txt`);
      assert.equal(head.headers['content-disposition'], `attachment; filename="a.txt"; filename*=UTF-8''a.txt`);
      const plain = await fx.call('GET', fx.objectPath(key));
      assert.equal(plain.headers['content-disposition'], 'inline', 'the stored one without ?download');
    });

    it('deletes an object (204), then 404 NoSuchKey', async () => {
      await fx.call('PUT', fx.objectPath('doomed'), { body: 'x' });
      const res = await fx.call('DELETE', fx.objectPath('doomed'));
      assert.equal(res.status, 204);
      assert.equal(res.body.length, 0);
      assertError(await fx.call('DELETE', fx.objectPath('doomed')), 404, 'NoSuchKey');
      assertError(await fx.call('GET', fx.objectPath('doomed')), 404, 'NoSuchKey');
      const head = await fx.call('HEAD', fx.objectPath('doomed'));
      assert.equal(head.status, 404);
    });

    it('answers missing buckets with 404 NoSuchBucket and bad keys with 400', async () => {
      const gone = `${fx.bucket}-gone`;
      assertError(await fx.call('PUT', fx.objectPath('k', gone), { body: 'x' }), 404, 'NoSuchBucket');
      assertError(await fx.call('GET', fx.objectPath('k', gone)), 404, 'NoSuchBucket');
      assertError(await fx.call('DELETE', fx.objectPath('k', gone)), 404, 'NoSuchBucket');
      assertError(await fx.call('PUT', fx.objectPath('k'.repeat(1025)), { body: 'x' }), 400, 'KeyTooLongError');
      assertError(await fx.call('GET', `/v1/buckets/${fx.bucket}/objects/`), 400, 'InvalidKey');
    });
  },
  { settings: { maxObjectSize: LIMIT }, wrap: (store) => watched(store, reads) },
);
