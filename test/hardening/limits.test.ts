/**
 * Request size limits with their defaults: a request target over 8 KiB gets 414, a head over 16 KiB
 * gets 431 (414 when the target alone is that long), each in the face's error shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import type { TestServer } from '../helpers/server.js';
import { fsServers, parseResponse, sendPaced } from './support.js';

const KiB = 1024;

/** Sends one whole request in one write and returns the answer. */
async function rawRequest(url: string, target: string, headers = ''): Promise<ReturnType<typeof parseResponse>> {
  const head = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`;
  const outcome = await sendPaced(url, [head], 0);
  return parseResponse(outcome.response);
}

describe('request size limits (defaults)', () => {
  const fx = fsServers();
  let server: TestServer;

  before(async () => {
    await fx.open();
    server = await fx.serve();
  });
  after(() => fx.close());

  it('answers 414 to a request target over 8 KiB, as text on the tutorial face', async () => {
    const res = await request(`${server.url}/amazons3/imageStore/b/${'k'.repeat(9 * KiB)}`);
    assert.equal(res.statusCode, 414);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(await res.body.text(), /request target is \d+ bytes long; the limit is 8192/);
  });

  it('answers 414 as JSON on v1, whatever the route', async () => {
    const res = await request(`${server.url}/v1/buckets/b/objects?prefix=${'p'.repeat(9 * KiB)}`);
    assert.equal(res.statusCode, 414);
    const body = (await res.body.json()) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'UriTooLong');
    assert.equal(body.error.requestId, res.headers['x-request-id']);
  });

  it('answers 414 and 431 as JSON on share links, the face that owns /s/', async () => {
    const res = await request(`${server.url}/s/${'t'.repeat(9 * KiB)}`);
    assert.equal(res.statusCode, 414);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(((await res.body.json()) as { error: { code: string } }).error.code, 'UriTooLong');

    const raw = await rawRequest(server.url, '/s/some-token', `X-Padding: ${'a'.repeat(17 * KiB)}\r\n`);
    assert.equal(raw.status, 431);
    assert.equal((JSON.parse(raw.body) as { error: { code: string } }).error.code, 'RequestHeaderFieldsTooLarge');
  });

  it('lets a target just under the limit through', async () => {
    const res = await request(`${server.url}/v1/buckets/no-such-bucket/objects?prefix=${'p'.repeat(7 * KiB)}`);
    assert.equal(res.statusCode, 404);
    await res.body.dump();
  });

  it('answers 431 to headers over 16 KiB, in the face shape', async () => {
    const big = `X-Padding: ${'a'.repeat(17 * KiB)}\r\n`;
    const text = await rawRequest(server.url, '/amazons3/imageStore', big);
    assert.equal(text.status, 431);
    assert.match(text.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(text.body, /larger than the limit of 16384 bytes/);
    assert.equal(text.headers['connection'], 'close');

    const json = await rawRequest(server.url, '/v1/buckets', big);
    assert.equal(json.status, 431);
    const body = JSON.parse(json.body) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'RequestHeaderFieldsTooLarge');
    assert.equal(body.error.requestId, json.headers['x-request-id']);
  });

  it('answers 414 when the target alone is over the head limit', async () => {
    const answer = await rawRequest(server.url, `/v1/buckets/b/objects/${'k'.repeat(20 * KiB)}`);
    assert.equal(answer.status, 414);
    assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, 'UriTooLong');
  });

  it('serves requests with ordinary heads', async () => {
    const res = await request(`${server.url}/v1/buckets`, { headers: { 'x-padding': 'a'.repeat(8 * KiB) } });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  });
});
