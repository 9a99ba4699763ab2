/**
 * Authentication: which routes are public, the token's two forms, routes marked `config: { public: true }`,
 * secrets kept out of the log, and no authentication at all without keys.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from '../helpers/suites.js';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { buildCore } from '../../src/core/core.js';
import { assertAllowed } from '../../src/auth/authorize.js';
import { loadConfig } from '../../src/config/load.js';
import { openFsStore } from '../../src/storage/fs/index.js';
import type { ObjectStore } from '../../src/storage/types.js';
import { startServer, tempDir } from '../helpers/server.js';
import { assertError, call } from '../http/v1-support.js';
import { bearer, keyOf, SECRET } from './support.js';

const ADMIN = keyOf('root', [{ bucket: '*', actions: ['admin'] }]);

describe('authentication', () => {
  let store: ObjectStore;
  let app: FastifyInstance;
  let url: string;
  let log = '';

  before(async () => {
    store = await openFsStore({ dataDir: await tempDir('authn') });
    const config = loadConfig({ flags: { port: 0, auth: { keys: [ADMIN] } } });
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((log += chunk.toString()), done()) });
    app = await buildApp(buildCore({ config, store, logger: pino({ level: 'trace' }, sink) }));
    // a route of the kind share links add: public, asking for authorization only when it wants to
    app.get('/test-public', { config: { public: true } }, async (request) => {
      if ((request.query as Record<string, string>)['check'] !== undefined) assertAllowed(request, 'read', 'b-bucket', 'k');
      return { principal: request.principal?.keyId ?? null };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it('serves health, readiness and the API description without a token', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs', '/docs/static/swagger-ui.css']) {
      assert.equal((await call(url, 'GET', path)).status, 200, path);
    }
  });

  it('answers 401 for unknown routes too, so that routes are not probed without a key', async () => {
    assertError(await call(url, 'GET', '/v1/nothing-here'), 401, 'Unauthorized');
    const tutorial = await call(url, 'GET', '/elsewhere');
    assert.equal(tutorial.status, 401);
    assert.match(String(tutorial.headers['content-type']), /^text\/plain/);
    assert.equal((await call(url, 'GET', '/v1/nothing-here', { headers: bearer('root') })).status, 404);
  });

  it('takes <id>.<secret> and <id>:<secret>, any case of "Bearer", and nothing else', async () => {
    const as = (authorization: string) => call(url, 'GET', '/v1/buckets', { headers: { authorization } });
    assert.equal((await as(`Bearer root.${SECRET}`)).status, 200);
    assert.equal((await as(`Bearer root:${SECRET}`)).status, 200);
    assert.equal((await as(`bearer root.${SECRET}`)).status, 200);
    const basic = await as(`Basic ${Buffer.from(`root:${SECRET}`).toString('base64')}`);
    assert.equal(basic.status, 401);
    assert.equal(basic.headers['www-authenticate'], 'Bearer realm="s3gate"');
    for (const bad of ['Bearer root', `Bearer nobody.${SECRET}`, 'Bearer root.', `Bearer root.${SECRET.toUpperCase()}x`]) {
      const answer = await as(bad);
      assertError(answer, 401, 'Unauthorized', bad);
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="s3gate", error="invalid_token"', bad);
    }
  });

  it('refuses an upload without a key before reading its body', async () => {
    const answer = await call(url, 'PUT', '/v1/buckets/b-bucket/objects/k', { body: Buffer.alloc(1024 * 1024) });
    assertError(answer, 401, 'Unauthorized');
  });

  it('serves a route marked public without a token; a valid token still names the caller', async () => {
    assert.deepEqual((await call(url, 'GET', '/test-public')).json(), { principal: null });
    assert.deepEqual((await call(url, 'GET', '/test-public', { headers: bearer('root') })).json(), { principal: 'root' });
    assert.deepEqual((await call(url, 'GET', '/test-public', { headers: bearer('root', 'wrong') })).json(), { principal: null });
    const anonymous = await call(url, 'GET', '/test-public?check');
    assert.equal(anonymous.status, 403, 'assertAllowed refuses an anonymous caller on a public route');
    assert.match(anonymous.text, /anonymous caller/);
  });

  it('never writes a secret to the log', async () => {
    await call(url, 'GET', '/v1/buckets', { headers: bearer('root') });
    await call(url, 'GET', '/v1/buckets', { headers: bearer('root', `${SECRET}-wrong`) });
    assert.ok(log.length > 0, 'the log was written');
    assert.doesNotMatch(log, new RegExp(SECRET.replace(/[-_]/g, '.')));
  });
});

describe('without keys', () => {
  it('checks nothing: any Authorization header is ignored, and no principal is set', async () => {
    const dir = await tempDir('open');
    const store = await openFsStore({ dataDir: dir });
    const server = await startServer(store);
    try {
      assert.equal((await call(server.url, 'PUT', '/v1/buckets/open-bucket', { headers: { authorization: 'Bearer nobody.nothing' } })).status, 201);
      assert.equal((await call(server.url, 'GET', '/amazons3/imageStore', { headers: { authorization: 'Basic eA==' } })).status, 200);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
