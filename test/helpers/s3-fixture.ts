/**
 * What the S3 face's tests share: a suite's S3 listener over a store with an SDK client and a fresh bucket
 * (set up before its tests, torn down after), S3 error checks, and raw requests for what no SDK sends.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { CreateBucketCommand, HeadObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { after, before } from './suites.js';
import { startS3Server, storesUnderTest, type StoreUnderTest, type TestServer } from './server.js';

export interface Credentials {
  id: string;
  secret: string;
}

/** Anonymous services take any key: the SDK needs one to sign with. */
const ANY_KEY: Credentials = { id: 'AKIDANYTHING', secret: 'any-secret-will-do' };

export function s3Client(url: string, credentials: Credentials = ANY_KEY, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: credentials.id, secretAccessKey: credentials.secret }, ...extra });
}

export const uniqueBucket = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

export interface S3Fixture {
  readonly bucket: string;
  /** Set once the suite's `before` ran. */
  server: TestServer;
  /** Signs with the fixture's credentials. */
  s3: S3Client;
}

/**
 * Registers the suite's hooks: a listener over `store` (the fs store when not given) with `settings`, a client
 * signing with `credentials`, and the bucket made.
 */
export function s3Fixture(options: { store?: StoreUnderTest | undefined; settings?: Record<string, unknown>; credentials?: Credentials; bucketPrefix: string }): S3Fixture {
  const fixture = { bucket: uniqueBucket(options.bucketPrefix) } as S3Fixture;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    const store = options.store ?? storesUnderTest()[0];
    assert.ok(store, 'a store to test on');
    const opened = await store.open();
    cleanup = opened.cleanup;
    fixture.server = await startS3Server(opened.store, options.settings);
    fixture.s3 = s3Client(fixture.server.url, options.credentials);
    await fixture.s3.send(new CreateBucketCommand({ Bucket: fixture.bucket }));
  });
  after(async () => {
    fixture.s3?.destroy();
    await fixture.server?.close();
    await cleanup?.();
  });
  return fixture;
}

/** The SDK's promise fails with this S3 error code and status (and message, when given). */
export async function rejectsWithCode(promise: Promise<unknown>, code: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof S3ServiceException, `an S3 error, got ${String(err)}`);
    assert.equal(err.name, code, err.message);
    assert.equal(err.$metadata.httpStatusCode, status);
    if (message) assert.match(err.message, message);
    return true;
  });
}

export async function assertAbsent(s3: S3Client, bucket: string, key: string): Promise<void> {
  await rejectsWithCode(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 'NotFound', 404);
}

const ENTITIES: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescaped = (text: string) => text.replace(/&(quot|apos|lt|gt|amp);/g, (entity) => ENTITIES[entity] ?? entity);

/** An S3 XML error document's code and message. */
export function errorIn(xml: string): { code: string; message: string } {
  return { code: /<Code>(.*?)<\/Code>/.exec(xml)?.[1] ?? '', message: unescaped(/<Message>(.*?)<\/Message>/s.exec(xml)?.[1] ?? '') };
}

/** A fetch() answer is this S3 error (and message: exactly a string, or matching). */
export async function refused(response: Promise<Response> | Response, code: string, status: number, message?: string | RegExp): Promise<void> {
  const answer = await response;
  const error = errorIn(await answer.text());
  assert.equal(error.code, code, error.message);
  assert.equal(answer.status, status);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
}

/** Sends a request exactly as given (a Host header of its own, a body fetch() would frame otherwise). */
export function sendRaw(url: string, options: { method: string; path: string; headers: Record<string, string>; body?: Buffer }): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end(options.body);
  });
}
