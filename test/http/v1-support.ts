/**
 * What the REST API v1 tests share: a listening server per store with a bucket of its own, a request
 * helper, and the check that an error is the one JSON shape with the answer's request id.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe } from '../helpers/suites.js';
import { request } from 'undici';
import type { ObjectStore } from '../../src/storage/types.js';
import { startServer, storesUnderTest, type TestServer } from '../helpers/server.js';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface CallInit {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** JSON body: sets Content-Type too. */
  json?: unknown;
}

export interface V1Fixture {
  server: TestServer;
  /** A bucket made for this suite, emptied and deleted after it. */
  bucket: string;
  call(method: string, path: string, init?: CallInit): Promise<Answer>;
  /** Encodes each segment of a key for a path (keeping its "/"). */
  objectPath(key: string, bucket?: string): string;
}

export function uniqueBucket(tag: string): string {
  return `v1-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function call(baseUrl: string, method: string, path: string, init: CallInit = {}): Promise<Answer> {
  const headers = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await request(`${baseUrl}${path}`, { method, headers, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  return {
    status: res.statusCode,
    headers: res.headers as IncomingHttpHeaders,
    body: bytes,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** The one error shape: `{"error": {"code", "message", "requestId"}}`, the id also in X-Request-Id. */
export function assertError(answer: Answer, status: number, code: string, what = ''): void {
  assert.equal(answer.status, status, `${what} ${answer.text}`);
  assert.match(String(answer.headers['content-type']), /^application\/json/, what);
  const { error } = answer.json<{ error: { code: string; message: string; requestId: string } }>();
  assert.equal(error.code, code, `${what} ${error.message}`);
  assert.ok(error.message.length > 0, 'a message');
  assert.ok(error.requestId, 'a request id');
  assert.equal(error.requestId, answer.headers['x-request-id']);
}

export function objectPath(bucket: string, key: string): string {
  return `/v1/buckets/${bucket}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Empties and deletes a bucket through the store, whatever is left in it. */
export async function dropBucket(store: ObjectStore, bucket: string): Promise<void> {
  for (;;) {
    const page = await store.listObjects({ bucket }).catch(() => undefined);
    if (!page) return;
    for (const o of page.objects) await store.deleteObject({ bucket, key: o.key });
    if (!page.isTruncated) break;
  }
  await store.deleteBucket({ bucket }).catch(() => undefined);
}

export interface SuiteOptions {
  /** Config settings for the server (e.g. maxObjectSize). */
  settings?: Record<string, unknown>;
  /** Wraps the store before the server gets it (to watch the calls the API makes). */
  wrap?: (store: ObjectStore) => ObjectStore;
}

/** Runs `body` once per store under test, with a fresh server and bucket. */
export function v1Suite(title: string, body: (fx: V1Fixture) => void, opts: SuiteOptions = {}): void {
  for (const target of storesUnderTest()) {
    describe(`${title} on ${target.name}`, { skip: target.skip }, () => {
      let cleanup: (() => Promise<void>) | undefined;
      const fx = {
        bucket: uniqueBucket(title.replace(/[^a-z]+/gi, '').slice(0, 12).toLowerCase()),
        call: (method: string, path: string, init?: CallInit) => call(fx.server.url, method, path, init),
        objectPath: (key: string, bucket = fx.bucket) => objectPath(bucket, key),
      } as V1Fixture;

      before(async () => {
        const opened = await target.open();
        cleanup = opened.cleanup;
        fx.server = await startServer(opts.wrap ? opts.wrap(opened.store) : opened.store, opts.settings);
        await opened.store.createBucket({ bucket: fx.bucket });
      });
      body(fx); // before the closing hook, so that the body's own after() hooks still have the server
      after(async () => {
        if (fx.server) {
          await dropBucket(fx.server.store, fx.bucket);
          await fx.server.close();
        }
        await cleanup?.();
      });
    });
  }
}
