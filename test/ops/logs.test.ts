/** The request log: one JSON line per request with its route pattern, never a secret or a share-link token. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from '../helpers/suites.js';
import { request } from 'undici';
import { redactShareTokens } from '../../src/logger.js';
import { captureLog, opsServer, type LogLine, type OpsServer } from './harness.js';

const OBJECT_ROUTE = '/v1/buckets/:bucket/objects/*';
const completed = (reqId: unknown) => (line: LogLine) => line.msg === 'request completed' && line['reqId'] === reqId;

describe('request log', () => {
  let server: OpsServer;
  before(async () => {
    server = await opsServer();
  });
  after(() => server.close());

  it('writes one completion line per request: id, method, route pattern, status, bytes, duration', async () => {
    const body = Buffer.alloc(10_000, 'x');
    assert.equal((await request(`${server.url}/v1/buckets/diaries`, { method: 'PUT' })).statusCode, 201);
    const put = await request(`${server.url}/v1/buckets/diaries/objects/private/monday.txt`, { method: 'PUT', body });
    await put.body.dump();
    const get = await request(`${server.url}/v1/buckets/diaries/objects/private/monday.txt`);
    assert.equal((await get.body.arrayBuffer()).byteLength, body.length);

    const putLine = await server.log.until(completed(put.headers['x-request-id']));
    assert.deepEqual(
      { method: putLine['method'], route: putLine['route'], status: putLine['status'], level: putLine['level'] },
      { method: 'PUT', route: OBJECT_ROUTE, status: 201, level: 30 },
    );
    assert.ok((putLine['bytesIn'] as number) > body.length, 'the body and the headers came in');
    assert.equal(typeof putLine['durationMs'], 'number');
    assert.equal(putLine['remoteAddress'], '127.0.0.1');

    const getLine = await server.log.until(completed(get.headers['x-request-id']));
    assert.equal(getLine['status'], 200);
    assert.ok((getLine['bytesOut'] as number) > body.length, 'the body and the headers went out');
    assert.ok((getLine['bytesIn'] as number) < 1000, 'a GET reads only its headers');

    const lines = server.log.lines().filter((l) => l['reqId'] === put.headers['x-request-id'] && l.msg === 'request completed');
    assert.equal(lines.length, 1, 'one line, not an "incoming" and a "completed" one');
    assert.doesNotMatch(server.log.text(), /monday\.txt/, 'no URL with its key in the log');
  });

  it('logs requests that match no route, or fail before routing, under one route label', async () => {
    const missing = await request(`${server.url}/no/such/thing`);
    await missing.body.dump();
    const line = await server.log.until(completed(missing.headers['x-request-id']));
    assert.equal(line['route'], 'unmatched');
    assert.equal(line['status'], 404);

    const malformed = await request(`${server.url}/v1/buckets/b/objects/%zz`);
    await malformed.body.dump();
    assert.equal((await server.log.until(completed(malformed.headers['x-request-id'])))['status'], 400);
  });

  it('logs a client that left mid-upload as aborted', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(`${server.url}/v1/buckets/diaries/objects/left.bin`, {
        method: 'PUT',
        headers: { 'content-length': 1_000_000 },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1000), () => setTimeout(() => req.destroy(), 50));
    });
    const line = await server.log.until((l) => l.msg === 'request completed' && l['aborted'] === true);
    assert.equal(line['route'], OBJECT_ROUTE);
  });

  it('never logs credentials or share-link tokens', async () => {
    const secrets = {
      authorization: 'Bearer sk-live-credential-1',
      cookie: 'session=cookie-secret-2',
      'x-amz-security-token': 'sts-token-secret-3',
    };
    const ids: unknown[] = [];
    for (const path of ['/v1/buckets', '/s/sharetoken0123456789', '/s/sharetoken0123456789%zz', '/s/sharetoken0123456789/x']) {
      const res = await request(`${server.url}${path}`, { headers: secrets });
      await res.body.dump();
      ids.push(res.headers['x-request-id']);
    }
    for (const id of ids) await server.log.until(completed(id));
    const text = server.log.text();
    for (const secret of [...Object.values(secrets), 'sk-live', 'cookie-secret', 'sts-token', 'sharetoken']) {
      assert.ok(!text.includes(secret), `"${secret}" in the log:\n${text}`);
    }
  });
});

describe('log redaction', () => {
  it('censors credential headers wherever a line carries them', () => {
    const log = captureLog();
    const headers = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/secret-sig', cookie: 'a=b', 'x-amz-security-token': 'tok' };
    log.logger.info({ req: { headers } }, 'a request');
    log.logger.info({ headers }, 'some headers');
    log.logger.info({ s3: { secretAccessKey: 'wJalr-secret', sessionToken: 'FwoG-session' } }, 'settings');
    const text = log.text();
    for (const secret of ['secret-sig', 'a=b', '"tok"', 'wJalr', 'FwoG']) assert.ok(!text.includes(secret), `"${secret}" in:\n${text}`);
    assert.equal(text.match(/\[redacted\]/g)?.length, 8);
  });

  it('removes share-link tokens from messages, errors and URLs of any line', () => {
    const log = captureLog();
    log.logger.error({ err: new Error('fetching https://files.example/s/tok-in-stack failed') }, 'GET /s/tok-in-msg');
    log.logger.info({ link: 'http://127.0.0.1:9090/s/tok-in-field?download', path: '/s/tok-in-path' }, 'link made');
    const text = log.text();
    assert.ok(!/tok-in/.test(text), text);
    assert.match(text, /\/s\/\[redacted\]\?download/);
  });

  it('leaves keys that merely contain /s/ alone', () => {
    assert.equal(redactShareTokens('/v1/buckets/b/objects/docs/s/readme'), '/v1/buckets/b/objects/docs/s/readme');
    assert.equal(redactShareTokens('"url":"/s/abc/def"'), '"url":"/s/[redacted]/def"');
  });
});
